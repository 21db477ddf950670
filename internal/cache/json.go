package cache

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"time"
)

// FetchJSON is Fetch for a value of type T, kept as JSON so that entries in
// Redis can be read by a person. T must survive a round trip through
// encoding/json. An entry that no longer decodes into T (the type changed
// between releases) counts as a store error and is loaded again, never
// served. Each caller gets its own decoded copy: a value read again is
// copied from the one decoded the first time (see decodedMemo).
func FetchJSON[T any](ctx context.Context, c *Cache, key string, ttl time.Duration, load func(context.Context) (T, error)) (T, Result, error) {
	var (
		out     T
		decoded bool
	)
	memoKey := key + "\x00" + reflect.TypeFor[T]().String()
	decode := func(b []byte) (T, error) {
		if v, ok := c.decoded.get(memoKey, b); ok {
			return deepCopy(v.(T)), nil
		}
		var v T
		if err := json.Unmarshal(b, &v); err != nil {
			return v, err
		}
		c.decoded.put(memoKey, b, v)
		return deepCopy(v), nil
	}
	use := func(b []byte) error {
		v, err := decode(b)
		if err != nil {
			return err
		}
		out, decoded = v, true
		return nil
	}
	check := func(b []byte) error {
		var v T
		return json.Unmarshal(b, &v)
	}
	loadJSON := func(ctx context.Context) ([]byte, error) {
		v, err := load(ctx)
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("cache: encode %T: %w", v, err)
		}
		return b, nil
	}

	r, err := c.fetch(ctx, key, ttl, loadJSON, use, check)
	if err != nil {
		var zero T
		return zero, r, err
	}
	if !decoded {
		if out, err = decode(r.Value); err != nil {
			var zero T
			return zero, r, fmt.Errorf("cache: decode %T: %w", out, err)
		}
	}
	return out, r, nil
}

// StoreJSON stores v under key as a fresh entry kept for ttl (plus Options.StaleFor), as if a
// Fetch had loaded it: for a caller that loaded several keys' values with one upstream call.
func StoreJSON[T any](ctx context.Context, c *Cache, key string, ttl time.Duration, v T) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("cache: encode %T: %w", v, err)
	}
	return c.Store(ctx, key, ttl, b)
}
