package web

import (
	"compress/gzip"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// gzipMinSize is the smallest answer worth compressing.
const gzipMinSize = 1024

var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return zw
}}

// gzipWriter compresses a text answer (pages, JSON, CSV, scripts and styles) for a client that
// takes gzip. An answer already encoded (the encoded JSON answers carry their own gzip copy), a
// small one and one with no body are passed through: the first gzipMinSize bytes are held until
// it is known which.
type gzipWriter struct {
	http.ResponseWriter
	code    int    // the status written by the handler, 0 before
	held    []byte // the first bytes, while undecided
	zw      *gzip.Writer
	decided bool // compressing (zw) or passing through
}

// withGzip wraps w for r when r takes gzip; done must be called when the handler returns.
func withGzip(w http.ResponseWriter, r *http.Request) (http.ResponseWriter, func()) {
	if !acceptsGzip(r) || r.Method == http.MethodHead {
		return w, func() {}
	}
	gw := &gzipWriter{ResponseWriter: w}
	return gw, gw.close
}

func (w *gzipWriter) WriteHeader(code int) {
	if w.code != 0 || w.decided {
		return
	}
	w.code = code
	varyOnEncoding(w.Header())
	if !compressible(w.Header(), code) {
		w.pass()
	}
}

func (w *gzipWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", http.DetectContentType(b))
		}
		w.WriteHeader(http.StatusOK)
	}
	switch {
	case w.zw != nil:
		return w.zw.Write(b)
	case w.decided:
		return w.ResponseWriter.Write(b)
	}
	w.held = append(w.held, b...)
	if len(w.held) >= gzipMinSize {
		if err := w.compress(); err != nil {
			return 0, err
		}
	}
	return len(b), nil
}

// pass sends the answer as it is.
func (w *gzipWriter) pass() {
	w.decided = true
	w.ResponseWriter.WriteHeader(w.code)
}

// compress starts the compressed answer with what is held.
func (w *gzipWriter) compress() error {
	h := w.Header()
	h.Del("Content-Length")
	h.Set("Content-Encoding", "gzip")
	w.decided = true
	w.zw = gzipWriters.Get().(*gzip.Writer)
	w.zw.Reset(w.ResponseWriter)
	w.ResponseWriter.WriteHeader(w.code)
	held := w.held
	w.held = nil
	_, err := w.zw.Write(held)
	return err
}

// Flush sends what was written so far: a streamed download reaches the client as it goes.
func (w *gzipWriter) Flush() {
	if !w.decided && w.code != 0 {
		_ = w.compress()
	}
	if w.zw != nil {
		_ = w.zw.Flush()
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the underlying writer.
func (w *gzipWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// close ends the answer: a short one goes out as it is.
func (w *gzipWriter) close() {
	if !w.decided && w.code != 0 {
		w.pass()
		_, _ = w.ResponseWriter.Write(w.held)
	}
	if w.zw != nil {
		_ = w.zw.Close()
		w.zw.Reset(nil)
		gzipWriters.Put(w.zw)
		w.zw = nil
	}
}

// compressible reports whether an answer with header h and status code is worth compressing.
func compressible(h http.Header, code int) bool {
	if code < 200 || code == http.StatusNoContent || code == http.StatusNotModified || code == http.StatusPartialContent || h.Get("Content-Encoding") != "" {
		return false
	}
	if n, err := strconv.Atoi(h.Get("Content-Length")); err == nil && n < gzipMinSize {
		return false
	}
	ct, _, _ := strings.Cut(h.Get("Content-Type"), ";")
	switch ct = strings.TrimSpace(strings.ToLower(ct)); {
	case strings.HasPrefix(ct, "text/"), ct == "application/json", ct == "application/javascript", ct == "image/svg+xml":
		return true
	}
	return false
}
