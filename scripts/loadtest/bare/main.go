// Command bare is the yardstick of scripts/loadtest: a bare net/http server that answers each path
// with bytes captured from aliscout, from memory, with the same Content-Type. What aliscout does
// beyond that costs the difference.
//
// With -dressed it also does what any server exposed like aliscout must do per request, and
// nothing more: it sends every header aliscout sent with that answer (security headers, caching,
// ETag), reads requests with aliscout's server timeouts, and gives each request a deadline
// (aliscout's request budget). The difference to it is aliscout's own work.
//
// Usage: bare [-dressed] ADDR DIR, where DIR holds NAME.body, NAME.type and (for -dressed)
// NAME.headers files (the answer's status line and headers, as curl -D writes them), and NAME is
// the path with "/" replaced by "_" (the query left out).
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	dressed := flag.Bool("dressed", false, "send aliscout's headers, with its server timeouts and a request deadline")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: bare [-dressed] ADDR DIR")
		os.Exit(2)
	}
	addr, dir := flag.Arg(0), flag.Arg(1)
	bodies := map[string][]byte{}
	types := map[string]string{}
	headers := map[string]http.Header{}
	matches, err := filepath.Glob(filepath.Join(dir, "*.body"))
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range matches {
		name := strings.TrimSuffix(filepath.Base(m), ".body")
		b, err := os.ReadFile(m)
		if err != nil {
			log.Fatal(err)
		}
		t, _ := os.ReadFile(strings.TrimSuffix(m, ".body") + ".type")
		bodies[name], types[name] = b, strings.TrimSpace(string(t))
		if *dressed {
			h, err := os.ReadFile(strings.TrimSuffix(m, ".body") + ".headers")
			if err != nil {
				log.Fatal(err)
			}
			headers[name] = parseHeaders(h)
		}
	}
	srv := &http.Server{Addr: addr}
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.ReplaceAll(r.URL.Path, "/", "_")
		b, ok := bodies[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if *dressed {
			ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
			defer cancel()
			r = r.WithContext(ctx)
			h := w.Header()
			for k, v := range headers[name] {
				h[k] = v
			}
		}
		if r.Context().Err() != nil { // as a handler that heeds its deadline
			return
		}
		w.Header().Set("Content-Type", types[name])
		w.Write(b)
	})
	if *dressed { // as cmd/aliscout's serve
		srv.ReadHeaderTimeout, srv.ReadTimeout, srv.IdleTimeout = 10*time.Second, 30*time.Second, 2*time.Minute
	}
	log.Fatal(srv.ListenAndServe())
}

// parseHeaders reads the headers curl -D wrote, leaving out the status line and what net/http
// writes itself.
func parseHeaders(b []byte) http.Header {
	h := http.Header{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), ":")
		if !ok || strings.HasPrefix(k, "HTTP/") {
			continue
		}
		switch k = http.CanonicalHeaderKey(strings.TrimSpace(k)); k {
		case "Date", "Content-Length", "Transfer-Encoding", "Connection":
		default:
			h.Add(k, strings.TrimSpace(v))
		}
	}
	return h
}
