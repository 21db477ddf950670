package sourcing

import (
	"fmt"
	"strings"
	"time"
)

// TTLs says how long each kind of AliExpress data stays fresh. Searches and
// products move with prices and stock; shipping options and the category
// tree rarely change, and are the most often asked.
type TTLs struct {
	Search     time.Duration
	Product    time.Duration
	Shipping   time.Duration
	Categories time.Duration
}

// DefaultTTLs returns the TTLs used when the configuration names none.
func DefaultTTLs() TTLs {
	return TTLs{
		Search:     5 * time.Minute,
		Product:    10 * time.Minute,
		Shipping:   time.Hour,
		Categories: 24 * time.Hour,
	}
}

// ttlKinds names the fields of TTLs in the configuration string, in the
// order String writes them.
var ttlKinds = [...]string{"search", "product", "shipping", "categories"}

func (t *TTLs) field(kind string) *time.Duration {
	switch kind {
	case "search":
		return &t.Search
	case "product":
		return &t.Product
	case "shipping":
		return &t.Shipping
	case "categories":
		return &t.Categories
	}
	return nil
}

// ParseTTLs reads a configuration string such as
// "search=5m,product=10m,shipping=1h,categories=24h". Kinds left out keep
// their DefaultTTLs value; an empty string gives DefaultTTLs. Each duration
// is in time.ParseDuration form and must be positive. An error names the
// part that is wrong.
func ParseTTLs(s string) (TTLs, error) {
	t := DefaultTTLs()
	if strings.TrimSpace(s) == "" {
		return t, nil
	}
	seen := make(map[string]bool, len(ttlKinds))
	for part := range strings.SplitSeq(s, ",") {
		kind, value, ok := strings.Cut(part, "=")
		kind, value = strings.TrimSpace(kind), strings.TrimSpace(value)
		if !ok {
			return TTLs{}, fmt.Errorf("ttl %q: want kind=duration", part)
		}
		f := t.field(kind)
		if f == nil {
			return TTLs{}, fmt.Errorf("ttl %q: unknown kind %q (want one of %s)", part, kind, strings.Join(ttlKinds[:], ", "))
		}
		if seen[kind] {
			return TTLs{}, fmt.Errorf("ttl %q: %s given twice", part, kind)
		}
		seen[kind] = true
		d, err := time.ParseDuration(value)
		if err != nil {
			return TTLs{}, fmt.Errorf("ttl %q: %w", part, err)
		}
		if d <= 0 {
			return TTLs{}, fmt.Errorf("ttl %q: duration must be positive", part)
		}
		*f = d
	}
	return t, nil
}

// String writes t in the form ParseTTLs reads.
func (t TTLs) String() string {
	var b strings.Builder
	for i, kind := range ttlKinds {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(kind)
		b.WriteByte('=')
		b.WriteString(t.field(kind).String())
	}
	return b.String()
}
