package aliexpress

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"sort"
	"strings"
	"unicode"
)

// SignMethod names a request signing algorithm of the platform (the sign_method parameter).
type SignMethod string

// The sign methods the gateway knows.
const (
	// SignSHA256 is HMAC-SHA256 keyed with the app secret, the platform's default and the only one
	// documented for the /rest system APIs.
	SignSHA256 SignMethod = "sha256"
	// SignMD5 is MD5(secret + string + secret), the legacy TOP method still accepted on /sync.
	SignMD5 SignMethod = "md5"
	// SignHMAC is HMAC-MD5 keyed with the app secret, the legacy TOP method.
	SignHMAC SignMethod = "hmac"
)

// Valid reports whether m is one of the known sign methods.
func (m SignMethod) Valid() bool {
	switch m {
	case SignSHA256, SignMD5, SignHMAC:
		return true
	}
	return false
}

// Sign computes the request signature the platform expects for params: parameters with an empty or
// whitespace-only name or value and the "sign" parameter itself are left out, the rest are sorted by
// name in byte order and concatenated as name+value with their raw (not URL-encoded) values. apiPath
// is prefixed to that string when it contains a slash (system APIs such as "/auth/token/create");
// pass "" or the /sync method name otherwise. The digest is returned as uppercase hex.
func Sign(method SignMethod, secret, apiPath string, params map[string]string) (string, error) {
	var h hash.Hash
	switch method {
	case SignSHA256:
		h = hmac.New(sha256.New, []byte(secret))
	case SignMD5:
		h = md5.New()
		h.Write([]byte(secret))
	case SignHMAC:
		h = hmac.New(md5.New, []byte(secret))
	default:
		return "", fmt.Errorf("aliexpress: unknown sign method %q (want sha256, md5 or hmac)", string(method))
	}
	h.Write([]byte(CanonicalString(apiPath, params)))
	if method == SignMD5 {
		h.Write([]byte(secret))
	}
	return strings.ToUpper(hex.EncodeToString(h.Sum(nil))), nil
}

// CanonicalString returns the string that Sign digests; see Sign for the rules. It is exported so
// that a request whose signature is refused can be compared with another implementation.
func CanonicalString(apiPath string, params map[string]string) string {
	keys := make([]string, 0, len(params))
	n := 0
	for k, v := range params {
		if k == "sign" || isBlank(k) || isBlank(v) {
			continue
		}
		keys = append(keys, k)
		n += len(k) + len(v)
	}
	sort.Strings(keys)
	var b strings.Builder
	if strings.Contains(apiPath, "/") {
		n += len(apiPath)
		b.Grow(n)
		b.WriteString(apiPath)
	} else {
		b.Grow(n)
	}
	for _, k := range keys {
		b.WriteString(k)
		b.WriteString(params[k])
	}
	return b.String()
}

// isBlank reports whether s is empty or only white space as Java's Character.isWhitespace defines
// it, the rule of the platform's own Java SDK (no-break spaces are not white space there).
func isBlank(s string) bool {
	for _, r := range s {
		if !isJavaWhitespace(r) {
			return false
		}
	}
	return true
}

func isJavaWhitespace(r rune) bool {
	switch {
	case r == '\u00a0' || r == '\u2007' || r == '\u202f':
		return false
	case r >= '\t' && r <= '\r', r >= 0x1c && r <= 0x1f:
		return true
	}
	return unicode.In(r, unicode.Zs, unicode.Zl, unicode.Zp)
}
