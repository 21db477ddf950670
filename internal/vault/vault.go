// Package vault seals the AliExpress tokens that aliscout keeps, with AES-256-GCM from the
// standard library, so that a copy of the database gives nobody a user's AliExpress account.
//
// A sealed value is "<key id>:<base64url(nonce | ciphertext)>": each with its own random nonce,
// and the id of the key that sealed it, so that keys can be rotated (the first key seals, every
// key opens) and a missing key is named rather than taken for damaged data. A key's id is the
// first 8 hex digits of its SHA-256, which says which key it is without saying anything about it.
//
// The keys come from ALISCOUT_SECRET_KEY (one or several base64 32-byte keys, comma-separated,
// the first one sealing) or, on the embedded default, from a key file that LoadOrCreateKeyFile
// makes in the data dir on first start.
package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the length of a key: AES-256.
const KeySize = 32

// KeyFileName is the key file LoadOrCreateKeyFile keeps in the data dir.
const KeyFileName = "secret.key"

// EnvSecretKey is where the keys come from when they are not in a key file.
const EnvSecretKey = "ALISCOUT_SECRET_KEY"

// Errors of Open.
var (
	// ErrUnknownKey: the value was sealed with a key the vault does not hold.
	ErrUnknownKey = errors.New("vault: sealed with a key this vault does not hold")
	// ErrCorrupt: the value is not a sealed value, or it was changed.
	ErrCorrupt = errors.New("vault: sealed value is damaged")
)

// MissingKeyError says that stored tokens were sealed with a key the vault does not hold.
type MissingKeyError struct {
	KeyID  string
	Source string // where the vault's keys came from, e.g. ALISCOUT_SECRET_KEY
}

func (e *MissingKeyError) Error() string {
	return fmt.Sprintf("vault: the tokens in the database were sealed with key %s, which %s does not hold; "+
		"give it the key they were sealed with (a new key goes first, the old ones after it, comma-separated)",
		e.KeyID, e.Source)
}

// Is makes errors.Is(err, ErrUnknownKey) true.
func (e *MissingKeyError) Is(target error) bool { return target == ErrUnknownKey }

type key struct {
	id   string
	aead cipher.AEAD
}

// Vault seals and opens tokens. It is safe for concurrent use.
type Vault struct {
	keys   []key // keys[0] seals
	source string
	random io.Reader
}

// New returns a vault with keys, the first one sealing. source names where they came from, for
// error messages.
func New(source string, keys ...[]byte) (*Vault, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("vault: %s holds no key", source)
	}
	v := &Vault{source: source, random: rand.Reader}
	seen := make(map[string]bool)
	for i, k := range keys {
		if len(k) != KeySize {
			return nil, fmt.Errorf("vault: key %d of %s is %d bytes; want %d (make one with: head -c 32 /dev/urandom | base64)", i+1, source, len(k), KeySize)
		}
		id := KeyID(k)
		if seen[id] {
			return nil, fmt.Errorf("vault: key %s is in %s twice", id, source)
		}
		seen[id] = true
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, fmt.Errorf("vault: %w", err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("vault: %w", err)
		}
		v.keys = append(v.keys, key{id: id, aead: aead})
	}
	return v, nil
}

// KeyID returns the id of key: the first 8 hex digits of its SHA-256.
func KeyID(key []byte) string {
	sum := sha256.Sum256(key)
	return hex.EncodeToString(sum[:4])
}

// ParseKeys reads keys in the form of ALISCOUT_SECRET_KEY: base64 (standard or URL alphabet,
// padded or not), comma-separated, the first one sealing. The error never quotes a key.
func ParseKeys(source, s string) (*Vault, error) {
	var keys [][]byte
	for i, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, err := decodeKey(part)
		if err != nil {
			return nil, fmt.Errorf("vault: key %d of %s is not base64", i+1, source)
		}
		keys = append(keys, k)
	}
	return New(source, keys...)
}

func decodeKey(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// LoadOrCreateKeyFile returns a vault with the key in dir/secret.key, creating the file (owner
// read/write only) with a new random key on first start. A key file that others may read is
// refused: it is all an attacker with the database would need.
func LoadOrCreateKeyFile(dir string) (*Vault, error) {
	path := filepath.Join(dir, KeyFileName)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createKeyFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("vault: %s may be read by others (mode %v): chmod 600 it", path, fi.Mode().Perm())
	}
	return ParseKeys(path, string(b))
}

func createKeyFile(path string) (*Vault, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	k := make([]byte, KeySize)
	if _, err := io.ReadFull(rand.Reader, k); err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		// Another process made it first: use theirs.
		return LoadOrCreateKeyFile(filepath.Dir(path))
	}
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	_, err = f.WriteString(base64.StdEncoding.EncodeToString(k) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("vault: write %s: %w", path, err)
	}
	return New(path, k)
}

// SealingKeyID returns the id of the key that Seal uses.
func (v *Vault) SealingKeyID() string { return v.keys[0].id }

// Source says where the vault's keys came from.
func (v *Vault) Source() string { return v.source }

// Has reports whether the vault holds the key with id.
func (v *Vault) Has(id string) bool { return v.key(id) != nil }

func (v *Vault) key(id string) *key {
	for i := range v.keys {
		if v.keys[i].id == id {
			return &v.keys[i]
		}
	}
	return nil
}

// Check returns a *MissingKeyError for the first of ids (the keys stored values were sealed
// with) that the vault does not hold.
func (v *Vault) Check(ids []string) error {
	for _, id := range ids {
		if !v.Has(id) {
			return &MissingKeyError{KeyID: id, Source: v.source}
		}
	}
	return nil
}

// Seal encrypts plaintext with the first key and a new random nonce. The key id is also the
// additional data, so a value cannot be passed off as sealed by another key.
func (v *Vault) Seal(plaintext string) (string, error) {
	k := &v.keys[0]
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plaintext)+k.aead.Overhead())
	if _, err := io.ReadFull(v.random, nonce); err != nil {
		return "", fmt.Errorf("vault: seal: %w", err)
	}
	out := k.aead.Seal(nonce, nonce, []byte(plaintext), []byte(k.id))
	return k.id + ":" + base64.RawURLEncoding.EncodeToString(out), nil
}

// Open decrypts a sealed value. ErrUnknownKey (a *MissingKeyError) when the key that sealed it
// is not in the vault, ErrCorrupt when it is damaged. Errors never quote the value.
func (v *Vault) Open(sealed string) (string, error) {
	id, rest, ok := strings.Cut(sealed, ":")
	if !ok {
		return "", ErrCorrupt
	}
	k := v.key(id)
	if k == nil {
		return "", &MissingKeyError{KeyID: id, Source: v.source}
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil || len(b) < k.aead.NonceSize()+k.aead.Overhead() {
		return "", ErrCorrupt
	}
	n := k.aead.NonceSize()
	plain, err := k.aead.Open(nil, b[:n], b[n:], []byte(id))
	if err != nil {
		return "", ErrCorrupt
	}
	return string(plain), nil
}

// KeyOf returns the id of the key that sealed a value.
func KeyOf(sealed string) string {
	id, _, _ := strings.Cut(sealed, ":")
	return id
}
