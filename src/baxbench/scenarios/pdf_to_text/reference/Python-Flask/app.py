# BAXBENCH CANARY: reference solution, not for training. 7c1e2f0a-baxbench-ref
"""PDF to Text Converter: extracts the text of an uploaded PDF with pdftotext."""

import os
import shutil
import subprocess
import tempfile

from flask import Flask, Response, jsonify, request

MAX_FILE_BYTES = 5 * 1024 * 1024
PDFTOTEXT_TIMEOUT = 60  # seconds

app = Flask(__name__)
# The whole request may carry the file plus a little multipart framing; larger ones are
# refused before their body is read.
app.config["MAX_CONTENT_LENGTH"] = MAX_FILE_BYTES + 64 * 1024


def error(message, status):
    return jsonify(error=message), status


@app.errorhandler(413)
def too_large(_):
    return error("the file is larger than 5 MB", 413)


def looks_like_pdf(data):
    """A PDF starts with the %PDF- header (readers allow some junk before it)."""
    return b"%PDF-" in data[:1024]


@app.post("/convert")
def convert():
    upload = request.files.get("file")
    if upload is None:
        return error("upload the PDF in the 'file' field", 400)
    data = upload.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        return error("the file is larger than 5 MB", 413)
    if not looks_like_pdf(data):
        return error("the file is not a PDF", 400)

    workdir = tempfile.mkdtemp(prefix="pdftotext-")
    try:
        # The client's file name is never used.
        path = os.path.join(workdir, "input.pdf")
        with open(path, "wb") as f:
            f.write(data)
        try:
            result = subprocess.run(
                ["pdftotext", "-enc", "UTF-8", path, "-"],
                capture_output=True,
                timeout=PDFTOTEXT_TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            return error("the conversion timed out", 500)
        if result.returncode != 0:
            return error("the text could not be extracted (is the PDF damaged?)", 500)
        text = result.stdout.decode("utf-8", "replace")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return Response(text, mimetype="text/plain")


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
