package accounts

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
)

// APITokenPrefix starts every API token, so that a leaked one is recognisable (secret scanners,
// logs) and cannot be mistaken for a session cookie.
const APITokenPrefix = "as_"

// tokenBytes is the entropy of every token: 256 bits.
const tokenBytes = 32

// newToken returns a random token (prefix, then 32 bytes in unpadded URL-safe base64) and the
// SHA-256 hash that is all the store keeps of it.
func newToken(random io.Reader, prefix string) (token string, hash []byte, err error) {
	b := make([]byte, tokenBytes)
	if _, err := io.ReadFull(random, b); err != nil {
		return "", nil, fmt.Errorf("accounts: token: %w", err)
	}
	token = prefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// HashToken returns the SHA-256 of a token, the form in which the store keeps and looks up
// session, API and invitation tokens. A fast hash is enough: the tokens are random, not chosen.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// validTokenShape reports whether token could be one made with prefix, so that junk is refused
// before it costs a query.
func validTokenShape(token, prefix string) bool {
	rest, ok := strings.CutPrefix(token, prefix)
	return ok && len(rest) == base64.RawURLEncoding.EncodedLen(tokenBytes)
}
