package accounts

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters. They are written into every hash, so changing them
// affects new hashes only; a sign-in with an older hash upgrades it (see NeedsRehash).
type Params struct {
	Memory      uint32 // KiB
	Iterations  uint32
	Parallelism uint8
	SaltLength  uint32 // bytes
	KeyLength   uint32 // bytes
}

// DefaultParams follow OWASP's argon2id recommendation (19 MiB, 2 passes, 1 lane): about 40 ms
// on one core, and little enough memory that a burst of sign-ins cannot exhaust a small server.
var DefaultParams = Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// Limits on parameters read from a stored hash, so a corrupt row cannot make one check take
// gigabytes.
const (
	maxMemory     = 1 << 21 // 2 GiB
	maxIterations = 64
	maxKeyLength  = 128
	maxSalt       = 64
)

func (p Params) check() error {
	switch {
	case p.Parallelism < 1:
		return errors.New("parallelism must be at least 1")
	case p.Memory < 8*uint32(p.Parallelism) || p.Memory > maxMemory:
		return fmt.Errorf("memory %d KiB out of range", p.Memory)
	case p.Iterations < 1 || p.Iterations > maxIterations:
		return fmt.Errorf("iterations %d out of range", p.Iterations)
	case p.SaltLength < 8 || p.SaltLength > maxSalt:
		return fmt.Errorf("salt length %d out of range", p.SaltLength)
	case p.KeyLength < 16 || p.KeyLength > maxKeyLength:
		return fmt.Errorf("key length %d out of range", p.KeyLength)
	}
	return nil
}

// ErrMalformedHash is returned for a stored hash that is not an argon2id PHC string.
var ErrMalformedHash = errors.New("accounts: malformed password hash")

// HashPassword hashes password with argon2id and a fresh salt from random, in the PHC string
// format: $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash> (unpadded standard base64).
func HashPassword(password string, p Params, random io.Reader) (string, error) {
	if err := p.check(); err != nil {
		return "", fmt.Errorf("accounts: argon2 parameters: %w", err)
	}
	salt := make([]byte, p.SaltLength)
	if _, err := io.ReadFull(random, salt); err != nil {
		return "", fmt.Errorf("accounts: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Iterations, p.Memory, p.Parallelism, p.KeyLength)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Iterations, p.Parallelism,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches hash, comparing in constant time. It fails
// only for a hash it cannot read.
func VerifyPassword(hash, password string) (bool, error) {
	p, salt, key, err := parseHash(hash)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Iterations, p.Memory, p.Parallelism, p.KeyLength)
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// NeedsRehash reports whether hash was made with parameters other than p (or cannot be read), so
// that the password should be hashed again when next known.
func NeedsRehash(hash string, p Params) bool {
	got, _, _, err := parseHash(hash)
	return err != nil || got != p
}

// parseHash reads a PHC argon2id string.
func parseHash(hash string) (p Params, salt, key []byte, err error) {
	fail := func(why string) (Params, []byte, []byte, error) {
		return Params{}, nil, nil, fmt.Errorf("%w: %s", ErrMalformedHash, why)
	}
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" {
		return fail("want 5 fields")
	}
	if parts[1] != "argon2id" {
		return fail("not argon2id")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return fail("unsupported version")
	}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return fail("bad parameter")
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return fail("bad parameter value")
		}
		switch k {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Iterations = uint32(n)
		case "p":
			if n > 255 {
				return fail("bad parallelism")
			}
			p.Parallelism = uint8(n)
		default:
			return fail("unknown parameter")
		}
	}
	if salt, err = base64.RawStdEncoding.Strict().DecodeString(parts[4]); err != nil {
		return fail("bad salt")
	}
	if key, err = base64.RawStdEncoding.Strict().DecodeString(parts[5]); err != nil {
		return fail("bad key")
	}
	p.SaltLength, p.KeyLength = uint32(len(salt)), uint32(len(key))
	if err := p.check(); err != nil {
		return fail(err.Error())
	}
	return p, salt, key, nil
}
