package accounts_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/aliscout/aliscout/internal/accounts"
)

// fast are argon2 parameters cheap enough for tests; the format and checks are the same.
var fast = accounts.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

func TestHashPassword(t *testing.T) {
	hash, err := accounts.HashPassword("correct horse", fast, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	phc := regexp.MustCompile(`^\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !phc.MatchString(hash) {
		t.Errorf("HashPassword = %q; want a PHC argon2id string with its parameters", hash)
	}
	for pw, want := range map[string]bool{"correct horse": true, "correct horsE": false, "": false, "correct horse ": false} {
		if ok, err := accounts.VerifyPassword(hash, pw); err != nil || ok != want {
			t.Errorf("VerifyPassword(hash, %q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	again, _ := accounts.HashPassword("correct horse", fast, rand.Reader)
	if again == hash {
		t.Errorf("two hashes of one password are equal: the salt is not random")
	}
}

func TestHashPasswordDefaultParams(t *testing.T) {
	if testing.Short() {
		t.Skip("argon2 at full cost")
	}
	hash, err := accounts.HashPassword("pw", accounts.DefaultParams, rand.Reader)
	if err != nil || !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("HashPassword(DefaultParams) = %q, %v", hash, err)
	}
	if ok, _ := accounts.VerifyPassword(hash, "pw"); !ok {
		t.Errorf("VerifyPassword of a DefaultParams hash failed")
	}
}

func TestNeedsRehash(t *testing.T) {
	hash, _ := accounts.HashPassword("pw", fast, rand.Reader)
	if accounts.NeedsRehash(hash, fast) {
		t.Errorf("NeedsRehash(hash, its own params) = true")
	}
	stronger := fast
	stronger.Iterations = 2
	if !accounts.NeedsRehash(hash, stronger) {
		t.Errorf("NeedsRehash(hash, more iterations) = false")
	}
	if !accounts.NeedsRehash("$2a$10$bcrypt...", fast) {
		t.Errorf("NeedsRehash(not argon2id) = false")
	}
}

func TestVerifyPasswordMalformed(t *testing.T) {
	good, _ := accounts.HashPassword("pw", fast, rand.Reader)
	parts := strings.Split(good, "$")
	for _, bad := range []string{
		"",
		"plain",
		"$argon2i$v=19$m=64,t=1,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=16$m=64,t=1,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=4294967295,t=1,p=1$" + parts[4] + "$" + parts[5], // 4 TiB
		"$argon2id$v=19$m=64,t=1000000,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=64,t=1,p=0$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=64,t=1,p=1,x=2$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=64,t=1,p=1$" + parts[4] + "=$" + parts[5],
		"$argon2id$v=19$m=64,t=1,p=1$" + parts[4] + "$",
		good + "$",
	} {
		ok, err := accounts.VerifyPassword(bad, "pw")
		if ok || !errors.Is(err, accounts.ErrMalformedHash) {
			t.Errorf("VerifyPassword(%q) = %v, %v; want ErrMalformedHash", bad, ok, err)
		}
	}
}

func TestHashTokenIsSHA256(t *testing.T) {
	// The store keeps SHA-256 hashes; a change here would sign everyone out.
	got := accounts.HashToken("abc")
	want := []byte{0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
		0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad}
	if !bytes.Equal(got, want) {
		t.Errorf("HashToken(abc) = %x; want %x", got, want)
	}
}

// FuzzVerifyPassword: a stored hash is read by a parser; whatever it holds, checking a password
// against it must not panic, nor accept a password for a hash it cannot read.
func FuzzVerifyPassword(f *testing.F) {
	good, _ := accounts.HashPassword("pw", fast, rand.Reader)
	f.Add(good, "pw")
	f.Add("$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "x")
	f.Add("$argon2id$v=19$m=,t=,p=$$", "")
	f.Fuzz(func(t *testing.T, hash, password string) {
		ok, err := accounts.VerifyPassword(hash, password)
		if err != nil && ok {
			t.Errorf("VerifyPassword(%q) = true with error %v", hash, err)
		}
	})
}
