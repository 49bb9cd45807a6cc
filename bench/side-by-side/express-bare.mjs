import express from 'express'
import { user, listenExpress } from './_common.mjs'

const app = express()
app.get('/users/:id', (req, res) => { res.json(user(req.params.id)) })
listenExpress(app)
