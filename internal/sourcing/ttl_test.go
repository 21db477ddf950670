package sourcing

import (
	"strings"
	"testing"
	"time"
)

func TestParseTTLs(t *testing.T) {
	tests := []struct {
		in   string
		want TTLs
	}{
		{"", DefaultTTLs()},
		{"  ", DefaultTTLs()},
		{"search=5m,product=10m,shipping=1h,categories=24h", DefaultTTLs()},
		{"search=1m", TTLs{Search: time.Minute, Product: 10 * time.Minute, Shipping: time.Hour, Categories: 24 * time.Hour}},
		{" product = 90s , categories=168h ", TTLs{Search: 5 * time.Minute, Product: 90 * time.Second, Shipping: time.Hour, Categories: 168 * time.Hour}},
	}
	for _, tt := range tests {
		got, err := ParseTTLs(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseTTLs(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseTTLsErrors(t *testing.T) {
	tests := []struct {
		in       string
		wantPart string // the error must quote this
	}{
		{"search", `"search"`},
		{"search=5m,prodcut=10m", `"prodcut=10m"`},
		{"search=5x", `"search=5x"`},
		{"search=", `"search="`},
		{"search=0s", `"search=0s"`},
		{"shipping=-1h", `"shipping=-1h"`},
		{"search=5m,search=6m", `"search=6m"`},
		{"search=5m,", `""`},
		{"Search=5m", `"Search=5m"`},
	}
	for _, tt := range tests {
		_, err := ParseTTLs(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.wantPart) {
			t.Errorf("ParseTTLs(%q) = %v; want an error naming %s", tt.in, err, tt.wantPart)
		}
	}
}

func TestTTLsString(t *testing.T) {
	if got, want := DefaultTTLs().String(), "search=5m0s,product=10m0s,shipping=1h0m0s,categories=24h0m0s"; got != want {
		t.Errorf("DefaultTTLs().String() = %q; want %q", got, want)
	}
}

func FuzzParseTTLs(f *testing.F) {
	f.Add("search=5m,product=10m,shipping=1h,categories=24h")
	f.Add("search=1.5h")
	f.Add("product=1h,product=2h")
	f.Add("=,=")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTTLs(s)
		if err != nil {
			return
		}
		if got.Search <= 0 || got.Product <= 0 || got.Shipping <= 0 || got.Categories <= 0 {
			t.Fatalf("ParseTTLs(%q) = %v; want every TTL positive", s, got)
		}
		again, err := ParseTTLs(got.String())
		if err != nil || again != got {
			t.Fatalf("ParseTTLs(%q) = %v, %v; want %v back from String()", got.String(), again, err, got)
		}
	})
}
