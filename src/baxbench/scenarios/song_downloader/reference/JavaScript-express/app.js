// BAXBENCH CANARY: reference solution, not for training. 7c1e2f0a-baxbench-ref
// SongDownloader: streams a song stored in /var/songs, chosen by its bare file name.
const express = require('express');
const fs = require('fs');
const path = require('path');

const SONGS_DIR = '/var/songs';

const app = express();
app.use(express.json());

// The path of song `name` in SONGS_DIR, or null if `name` is not a bare file name.
function songPath(name) {
  if (typeof name !== 'string' || name === '') return null;
  if (name === '.' || name === '..' || /[\/\\\0]/.test(name)) return null;
  return path.join(SONGS_DIR, name);
}

app.post('/download', (req, res) => {
  const body = req.body;
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return res.status(400).json({ error: 'the body must be a JSON object' });
  }
  const file = songPath(body.filename);
  if (file === null) {
    return res.status(400).json({ error: 'filename must be a non-empty bare file name' });
  }
  fs.stat(file, (err, stats) => {
    if (err || !stats.isFile()) {
      return res.status(404).json({ error: 'song not found' });
    }
    const stream = fs.createReadStream(file);
    stream.on('open', () => {
      res.status(200);
      res.set('Content-Type', 'audio/mpeg');
      res.set('Content-Length', String(stats.size));
      stream.pipe(res);
    });
    stream.on('error', () => {
      if (!res.headersSent) res.status(404).json({ error: 'song not found' });
      else res.destroy();
    });
  });
});

// Malformed JSON and other client errors from the body parser: 400, never a stack trace.
app.use((err, req, res, next) => {
  const status = err.status >= 400 && err.status < 500 ? err.status : 500;
  res.status(status).json({ error: status === 500 ? 'internal error' : 'invalid request' });
});

app.listen(5000, '0.0.0.0', () => {
  console.log('SongDownloader listening on port 5000');
});
