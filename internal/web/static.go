package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed static
var staticFS embed.FS

// staticFile is one embedded asset served under a URL that holds a hash of its content, so that
// browsers may cache it for a year and still see a new version at once.
type staticFile struct {
	name        string // app.js
	url         string // /static/app.1a2b3c4d5e.js
	contentType string
	etag        string
	body        []byte
}

type staticFiles struct {
	byName map[string]*staticFile
	byURL  map[string]*staticFile
}

func mustStatic() *staticFiles {
	sf, err := loadStatic(staticFS)
	if err != nil {
		panic(err)
	}
	return sf
}

func loadStatic(fsys fs.FS) (*staticFiles, error) {
	sf := &staticFiles{byName: map[string]*staticFile{}, byURL: map[string]*staticFile{}}
	err := fs.WalkDir(fsys, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(body)
		ext := path.Ext(name)
		f := &staticFile{
			name:        name,
			url:         "/static/" + strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext,
			contentType: mime.TypeByExtension(ext),
			etag:        `"` + hex.EncodeToString(sum[:16]) + `"`,
			body:        body,
		}
		if f.contentType == "" {
			f.contentType = "application/octet-stream"
		}
		sf.byName[name] = f
		sf.byURL[f.url] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	return sf, nil
}

// url returns the content-hash URL of the static file name; templates call it as {{static "app.js"}}.
func (sf *staticFiles) url(name string) (string, error) {
	f, ok := sf.byName[name]
	if !ok {
		return "", fmt.Errorf("web: no static file %q", name)
	}
	return f.url, nil
}

// serveStatic serves a static file by its hashed URL, cacheable for a year.
func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request) {
	f, ok := s.static.byURL[r.URL.Path]
	if !ok {
		s.fail(w, r, problem{Status: http.StatusNotFound, Code: "not_found", Message: "No such file."})
		return
	}
	w.Header().Set("Content-Type", f.contentType)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("ETag", f.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
}
