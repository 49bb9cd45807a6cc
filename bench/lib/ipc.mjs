// Request/answer over a forked child's IPC channel, for the benches that drive servers and
// load generators in their own processes.

/** Sends `msg` (unless undefined) and resolves with the first reply `accept` takes; rejects if the child exits first. */
export function ask (child, msg, accept) {
  return new Promise((resolve, reject) => {
    const onMessage = (reply) => {
      if (!accept(reply)) return
      child.off('message', onMessage)
      child.off('exit', onExit)
      resolve(reply)
    }
    const onExit = (code) => reject(new Error(`child exited with ${code} while waiting`))
    child.on('message', onMessage)
    child.on('exit', onExit)
    if (msg !== undefined) child.send(msg)
  })
}
