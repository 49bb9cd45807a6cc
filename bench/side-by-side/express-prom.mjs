import express from 'express'
import promBundle from 'express-prom-bundle'
import { user, listenExpress } from './_common.mjs'

const app = express()
app.use(promBundle({ includeMethod: true, includePath: true, includeStatusCode: true }))
app.get('/users/:id', (req, res) => { res.json(user(req.params.id)) })
listenExpress(app)
