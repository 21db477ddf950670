package cache

import "strings"

// keyEscaper escapes the separator and the escape character itself, so
// that Key is one-to-one: Key("a:b") and Key("a", "b") differ.
var keyEscaper = strings.NewReplacer(`\`, `\\`, `:`, `\:`)

// Key joins parts into a cache key with ":" between them, escaping ":" and
// "\" inside a part, so that different lists of parts never give the same
// key (except that no parts and one empty part both give ""). Keys stay
// readable in redis-cli: Key("search", "q=phone case") is
// "search:q=phone case".
func Key(parts ...string) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(':')
		}
		if strings.ContainsAny(p, `\:`) {
			p = keyEscaper.Replace(p)
		}
		b.WriteString(p)
	}
	return b.String()
}
