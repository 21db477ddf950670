package cache

import (
	"slices"
	"strings"
	"testing"
)

func TestKey(t *testing.T) {
	tests := []struct {
		parts []string
		want  string
	}{
		{nil, ""},
		{[]string{"search"}, "search"},
		{[]string{"search", "q=phone case", "US"}, "search:q=phone case:US"},
		{[]string{"a:b"}, `a\:b`},
		{[]string{"a", "b"}, "a:b"},
		{[]string{`a\`, "b"}, `a\\:b`},
		{[]string{`a\:b`}, `a\\\:b`},
		{[]string{"", ""}, ":"},
	}
	for _, tt := range tests {
		if got := Key(tt.parts...); got != tt.want {
			t.Errorf("Key(%q) = %q; want %q", tt.parts, got, tt.want)
		}
	}
}

// splitKey undoes Key, for checking that Key loses nothing.
func splitKey(k string) []string {
	var parts []string
	var b strings.Builder
	for i := 0; i < len(k); i++ {
		switch {
		case k[i] == '\\' && i+1 < len(k):
			i++
			b.WriteByte(k[i])
		case k[i] == ':':
			parts = append(parts, b.String())
			b.Reset()
		default:
			b.WriteByte(k[i])
		}
	}
	return append(parts, b.String())
}

func FuzzKey(f *testing.F) {
	f.Add("search", "q:x", `\`)
	f.Add("", "", "")
	f.Add(`a\`, `:b`, `\:`)
	f.Fuzz(func(t *testing.T, a, b, c string) {
		for _, parts := range [][]string{{a}, {a, b}, {a, b, c}} {
			if got := splitKey(Key(parts...)); !slices.Equal(got, parts) {
				t.Fatalf("splitKey(Key(%q)) = %q; want the parts back", parts, got)
			}
		}
	})
}
