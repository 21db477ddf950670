package cache

import (
	"context"
	"time"
)

// Entry is what a Store keeps under a key: the cached bytes and the time
// they were loaded from upstream. The Cache decides freshness from StoredAt,
// so a store only has to keep the pair intact until it expires.
type Entry struct {
	Value    []byte
	StoredAt time.Time
}

// Store holds cache entries. Implementations must be safe for concurrent
// use. The Cache treats every Store error as a soft failure: it counts it
// and carries on as if the entry were absent, so a store outage costs
// upstream calls but never fails a request.
type Store interface {
	// Get returns the entry under key and true, or false when there is
	// none (never expired, never stored or evicted). Absence is not an
	// error.
	Get(ctx context.Context, key string) (Entry, bool, error)

	// Set stores e under key, replacing any previous entry, and lets the
	// store drop it after keepFor. A keepFor of zero or less keeps the
	// entry until it is evicted or replaced.
	Set(ctx context.Context, key string, e Entry, keepFor time.Duration) error
}
