package aliexpress

import (
	"net/url"
	"strings"
)

// A gateway may echo what it was sent in its messages, and not always as sent: lower-cased,
// percent-encoded, or cut in half. A redactor removes every such form of a call's credentials (the
// app secret, the access and refresh tokens, the authorization code, the signature) from text that
// came from the platform, before the text reaches an error, a warning or a log line.

// redactWindow is the shortest piece of a credential that is redacted wherever it appears: any
// run of this many characters of a credential, in any of its forms, regardless of case.
const redactWindow = 8

// redactMin is the shortest credential redacted at all (shorter ones would redact ordinary words).
const redactMin = 4

// redactor hides the credentials it was made with.
type redactor struct {
	whole []string            // every form of every credential, lower-cased, matched whole
	grams map[string]struct{} // every window of redactWindow bytes of those forms, lower-cased
}

// newRedactor returns a redactor of the credentials.
func newRedactor(credentials ...string) *redactor {
	r := &redactor{grams: make(map[string]struct{})}
	for _, c := range credentials {
		if len(c) < redactMin {
			continue
		}
		q := url.QueryEscape(c)
		for _, f := range []string{c, q, url.PathEscape(c), url.QueryEscape(q), strings.ReplaceAll(q, "+", "%20")} {
			f = asciiLower(f)
			r.whole = append(r.whole, f)
			for i := 0; i+redactWindow <= len(f); i++ {
				if w := f[i : i+redactWindow]; !oneByte(w) {
					r.grams[w] = struct{}{}
				}
			}
		}
	}
	return r
}

// redact replaces every piece of s that is a credential, or a window of one, by "[redacted]".
func (r *redactor) redact(s string) string {
	if s == "" || (len(r.whole) == 0 && len(r.grams) == 0) {
		return s
	}
	low := asciiLower(s)
	var hidden []bool // hidden[i]: byte i of s is part of a credential
	mark := func(from, to int) {
		if hidden == nil {
			hidden = make([]bool, len(s))
		}
		for i := from; i < to; i++ {
			hidden[i] = true
		}
	}
	for _, f := range r.whole {
		for from := 0; ; {
			i := strings.Index(low[from:], f)
			if i < 0 {
				break
			}
			mark(from+i, from+i+len(f))
			from += i + 1
		}
	}
	for i := 0; i+redactWindow <= len(low); i++ {
		if _, ok := r.grams[low[i:i+redactWindow]]; ok {
			mark(i, i+redactWindow)
		}
	}
	if hidden == nil {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if !hidden[i] {
			b.WriteByte(s[i])
			i++
			continue
		}
		b.WriteString("[redacted]")
		for i < len(s) && hidden[i] {
			i++
		}
	}
	return b.String()
}

// redactError redacts every field of e that may hold the platform's text.
func (r *redactor) redactError(e *Error) {
	e.Message = r.redact(e.Message)
	e.Code = r.redact(e.Code)
	e.SubCode = r.redact(e.SubCode)
	e.Type = r.redact(e.Type)
	e.RequestID = r.redact(e.RequestID)
	e.Field = r.redact(e.Field)
}

// asciiLower lower-cases the ASCII letters of s, keeping every byte where it was.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; 'A' <= c && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// oneByte reports whether s repeats a single byte ("00000000"): such a window tells nothing of a
// credential and would redact ordinary numbers.
func oneByte(s string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] != s[0] {
			return false
		}
	}
	return true
}
