// Command bare is the yardstick of scripts/loadtest: a bare net/http server that answers each path
// with bytes captured from aliscout, from memory, with the same Content-Type. What aliscout does
// beyond that costs the difference.
//
// Usage: bare ADDR DIR, where DIR holds NAME.body and NAME.type files and NAME is the path with
// "/" replaced by "_" (the query left out).
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: bare ADDR DIR")
		os.Exit(2)
	}
	dir := os.Args[2]
	bodies := map[string][]byte{}
	types := map[string]string{}
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
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		name := strings.ReplaceAll(r.URL.Path, "/", "_")
		b, ok := bodies[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", types[name])
		w.Write(b)
	})
	log.Fatal(http.ListenAndServe(os.Args[1], nil))
}
