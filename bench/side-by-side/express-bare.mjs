import express from 'express'
import { user, listenExpress, loggerOn, expressLogger, handlerLine } from './_common.mjs'

const app = express()
if (loggerOn) app.use(expressLogger())
app.get('/users/:id', (req, res) => {
  if (loggerOn) handlerLine(req.log, req.params.id)
  res.json(user(req.params.id))
})
listenExpress(app)
