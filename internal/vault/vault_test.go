package vault_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aliscout/aliscout/internal/vault"
)

func key(b byte) []byte { return bytes.Repeat([]byte{b}, vault.KeySize) }

func b64(k []byte) string { return base64.StdEncoding.EncodeToString(k) }

const token = "50000abcTESTACCESStoken"

func TestSealOpen(t *testing.T) {
	v, err := vault.ParseKeys(vault.EnvSecretKey, b64(key(1)))
	if err != nil {
		t.Fatal(err)
	}
	a, err := v.Seal(token)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := v.Seal(token)
	if a == b {
		t.Errorf("two seals of one token are equal; want a new nonce each")
	}
	if strings.Contains(a, token) || !strings.HasPrefix(a, vault.KeyID(key(1))+":") {
		t.Errorf("Seal = %q; want the key id and no clear text", a)
	}
	if got, err := v.Open(a); err != nil || got != token {
		t.Errorf("Open(Seal(token)) = %q, %v; want the token", got, err)
	}
	// A changed byte, a value under another key id, junk: all refused without quoting them.
	raw := []byte(a)
	raw[len(raw)-2] ^= 1
	for _, bad := range []string{string(raw), "junk", vault.KeyID(key(1)) + ":", vault.KeyID(key(1)) + ":!!"} {
		if _, err := v.Open(bad); !errors.Is(err, vault.ErrCorrupt) {
			t.Errorf("Open(%q) = %v; want ErrCorrupt", bad, err)
		}
	}
	if len(vault.KeyID(key(1))) != 8 {
		t.Errorf("KeyID = %q; want 8 hex digits", vault.KeyID(key(1)))
	}
}

// TestWrongKey: tokens sealed with a key the vault does not hold fail with a message naming the
// key and where the keys come from.
func TestWrongKey(t *testing.T) {
	old, _ := vault.New(vault.EnvSecretKey, key(1))
	sealed, _ := old.Seal(token)
	v, _ := vault.New(vault.EnvSecretKey, key(2))
	_, err := v.Open(sealed)
	want := "the tokens in the database were sealed with key " + vault.KeyID(key(1)) + ", which ALISCOUT_SECRET_KEY does not hold"
	var mk *vault.MissingKeyError
	if !errors.As(err, &mk) || !errors.Is(err, vault.ErrUnknownKey) || !strings.Contains(err.Error(), want) {
		t.Errorf("Open(sealed with another key) = %v; want %q", err, want)
	}
	if err := v.Check([]string{vault.KeyID(key(2)), vault.KeyID(key(1))}); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Check = %v; want %q", err, want)
	}
	if err := v.Check([]string{vault.KeyID(key(2))}); err != nil {
		t.Errorf("Check(own key) = %v", err)
	}
}

// TestRotationKeys: with a new key first and the old one after it, old values open and new ones
// are sealed with the new key.
func TestRotationKeys(t *testing.T) {
	old, _ := vault.New(vault.EnvSecretKey, key(1))
	sealed, _ := old.Seal(token)
	v, err := vault.ParseKeys(vault.EnvSecretKey, b64(key(2))+", "+base64.RawURLEncoding.EncodeToString(key(1)))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := v.Open(sealed); err != nil || got != token {
		t.Errorf("Open(old) = %q, %v", got, err)
	}
	resealed, _ := v.Seal(token)
	if vault.KeyOf(resealed) != vault.KeyID(key(2)) || v.SealingKeyID() != vault.KeyID(key(2)) {
		t.Errorf("sealed with %s; want the first key %s", vault.KeyOf(resealed), vault.KeyID(key(2)))
	}
}

func TestParseKeysErrors(t *testing.T) {
	short := b64([]byte("0123456789abcdef"))
	for _, in := range []string{"", " , ", "not base64 at all!", short, b64(key(1)) + "," + b64(key(1))} {
		_, err := vault.ParseKeys(vault.EnvSecretKey, in)
		if err == nil {
			t.Errorf("ParseKeys(%q) succeeded; want an error", in)
			continue
		}
		if in != "" && strings.Contains(err.Error(), strings.TrimSpace(in)) {
			t.Errorf("ParseKeys error quotes the key: %v", err)
		}
	}
}

func TestKeyFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	v, err := vault.LoadOrCreateKeyFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, vault.KeyFileName)
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file = %v, %v; want mode 0600", fi, err)
	}
	sealed, _ := v.Seal(token)
	again, err := vault.LoadOrCreateKeyFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := again.Open(sealed); err != nil || got != token {
		t.Errorf("the second start cannot open the first's tokens: %q, %v", got, err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := vault.LoadOrCreateKeyFile(dir); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("LoadOrCreateKeyFile(readable by others) = %v; want a refusal", err)
	}
}
