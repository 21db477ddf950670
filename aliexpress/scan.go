package aliexpress

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// The envelope and list decoders first look at the few keys they need with the small reader below,
// and leave everything else to encoding/json: the body has been validated once (decodeSync,
// decodeRest) and is not parsed again layer by layer. Whatever the reader cannot compare as written
// (escaped or non-ASCII keys, repeated keys, another spelling encoding/json would match) sends the
// caller back to encoding/json, so an unusual answer decodes exactly as it always has.
//
// It earns its keep because tolerance reads answers in pieces: status markers at three levels,
// list wrappers, and each list element on its own, so that one bad element is left out rather
// than failing the list. With encoding/json alone each piece is a full decode into a map or into
// json.RawMessage copies, and the same bytes are scanned and copied once per level (see
// BenchmarkDecodeProductQuery and BenchmarkDecodeDSProduct against a build without this file).

// memberReader walks the members of a JSON object. It follows the structure of valid JSON only and
// stops, with bad set, at anything else.
type memberReader struct {
	b    []byte
	i    int // just after the '{' or the last value read
	n    int // members read
	done bool
	bad  bool
}

// readMembers starts reading the object b.
func readMembers(b []byte) memberReader {
	i := skipSpace(b, 0)
	r := memberReader{b: b, i: i + 1}
	if i >= len(b) || b[i] != '{' {
		r.bad = true
	}
	return r
}

// next returns the next member: its key as written between the quotes, and its value. ok is false
// after the last member, and at anything that is not JSON (then r.bad is set too).
func (r *memberReader) next() (key, value []byte, ok bool) {
	if r.done || r.bad {
		return nil, nil, false
	}
	b, i := r.b, skipSpace(r.b, r.i)
	if i < len(b) && b[i] == '}' {
		r.done = true
		r.bad = skipSpace(b, i+1) != len(b)
		return nil, nil, false
	}
	if r.n > 0 {
		if i >= len(b) || b[i] != ',' {
			r.bad = true
			return nil, nil, false
		}
		i = skipSpace(b, i+1)
	}
	keyEnd, ok := skipString(b, i)
	if !ok {
		r.bad = true
		return nil, nil, false
	}
	key = b[i+1 : keyEnd-1]
	i = skipSpace(b, keyEnd)
	if i >= len(b) || b[i] != ':' {
		r.bad = true
		return nil, nil, false
	}
	i = skipSpace(b, i+1)
	end, ok := skipValue(b, i)
	if !ok {
		r.bad = true
		return nil, nil, false
	}
	r.i, r.n = end, r.n+1
	return key, b[i:end], true
}

// objectMembers stores in vals the values of the members of the JSON object obj whose keys are
// names (nil for an absent one): slices of obj, not copies. It reports false when obj is not an
// object, or when a key cannot simply be compared as written: a key with escapes or non-ASCII
// bytes, a name given twice, or a key equal to a name only when case is ignored (encoding/json
// would fill that struct field with it).
func objectMembers(obj []byte, names []string, vals [][]byte) bool {
	clear(vals)
	r := readMembers(obj)
	for {
		key, val, ok := r.next()
		if !ok {
			return !r.bad
		}
		if !plainKey(key) {
			return false
		}
		for i, name := range names {
			if len(key) != len(name) {
				continue
			}
			if string(key) == name {
				if vals[i] != nil {
					return false
				}
				vals[i] = val[:len(val):len(val)] // an append copies rather than writes into the body
			} else if strings.EqualFold(string(key), name) {
				return false
			}
		}
	}
}

// A memberDecoder is a wire struct that lists its members for decodeMembers: their JSON names and
// pointers to the fields they decode into, in the same order (TestMemberDecoders checks them
// against the struct tags).
type memberDecoder interface {
	members() (names []string, fields []any)
}

// decodeMembers decodes the JSON object b into d one member at a time, as json.Unmarshal decodes
// it whole: a field that is a json.Unmarshaler reads its member directly, any other field through
// json.Unmarshal. A list member is then parsed once, rather than skipped over by the decoder of the
// enclosing object first. b must be valid JSON (decodeSync and decodeRest validate the body). It
// reports false when objectMembers cannot read b or a member does not decode; the caller then
// falls back to json.Unmarshal, which reads such an object as it always has or says what is wrong.
func decodeMembers(b []byte, d memberDecoder) bool {
	names, fields := d.members()
	vals := make([][]byte, len(names))
	if !objectMembers(b, names, vals) {
		return false
	}
	for i, v := range vals {
		if v == nil {
			continue
		}
		var err error
		if u, ok := fields[i].(json.Unmarshaler); ok {
			err = u.UnmarshalJSON(v)
		} else {
			err = json.Unmarshal(v, fields[i])
		}
		if err != nil {
			return false
		}
	}
	return true
}

// plainKey reports whether a key reads as written: printable ASCII without escapes.
func plainKey(key []byte) bool {
	for _, c := range key {
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// elementReader walks the elements of a JSON array, as memberReader walks an object's members.
type elementReader struct {
	b    []byte
	i    int // just after the '[' or the last element read
	n    int // elements read
	done bool
	bad  bool
}

// readElements starts reading the array b.
func readElements(b []byte) elementReader {
	i := skipSpace(b, 0)
	r := elementReader{b: b, i: i + 1}
	if i >= len(b) || b[i] != '[' {
		r.bad = true
	}
	return r
}

// next returns the next element. ok is false after the last one, and at anything that is not JSON
// (then r.bad is set too).
func (r *elementReader) next() (value []byte, ok bool) {
	if r.done || r.bad {
		return nil, false
	}
	b, i := r.b, skipSpace(r.b, r.i)
	if i < len(b) && b[i] == ']' {
		r.done = true
		r.bad = skipSpace(b, i+1) != len(b)
		return nil, false
	}
	if r.n > 0 {
		if i >= len(b) || b[i] != ',' {
			r.bad = true
			return nil, false
		}
		i = skipSpace(b, i+1)
	}
	end, ok := skipValue(b, i)
	if !ok {
		r.bad = true
		return nil, false
	}
	r.i, r.n = end, r.n+1
	return b[i:end], true
}

// arrayLen counts the elements of the JSON array b (0 when b is not one).
func arrayLen(b []byte) int {
	r := readElements(b)
	for _, ok := r.next(); ok; _, ok = r.next() {
	}
	return r.n
}

// skipValue returns the index just after the JSON value that starts at b[i].
func skipValue(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return 0, false
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				end, ok := skipString(b, i)
				if !ok {
					return 0, false
				}
				i = end
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, true
				}
			}
			i++
		}
		return 0, false
	}
	// A number or a literal runs up to the next delimiter.
	j := i
	for j < len(b) && !isSpace(b[j]) && b[j] != ',' && b[j] != '}' && b[j] != ']' {
		j++
	}
	return j, j > i
}

// skipString returns the index just after the JSON string that starts at b[i].
func skipString(b []byte, i int) (int, bool) {
	if i >= len(b) || b[i] != '"' {
		return 0, false
	}
	for j := i + 1; j < len(b); {
		q := bytes.IndexByte(b[j:], '"')
		if q < 0 {
			return 0, false
		}
		j += q
		// The quote is escaped when an odd number of backslashes precede it.
		k := j
		for k > i+1 && b[k-1] == '\\' {
			k--
		}
		if (j-k)%2 == 0 {
			return j + 1, true
		}
		j++
	}
	return 0, false
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// onlyMember reads the JSON object b as a list wrapper would be: keys is its number of distinct
// keys up to two, and when there is one, key and value are that member. ok is false when b is not
// an object.
func onlyMember(b []byte) (key string, value []byte, keys int, ok bool) {
	r := readMembers(b)
	k, v, more := r.next()
	if !more {
		return "", nil, 0, !r.bad
	}
	k2, _, more := r.next()
	if !more && !r.bad && plainKey(k) {
		return string(k), v, 1, true
	}
	if more && plainKey(k) && plainKey(k2) && string(k) != string(k2) {
		return "", nil, 2, true
	}
	// Escapes, repeated keys or worse: as encoding/json sees the object.
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return "", nil, 0, false
	}
	if len(m) != 1 {
		return "", nil, min(len(m), 2), true
	}
	for k, v := range m {
		return k, bytes.TrimSpace(v), 1, true
	}
	return "", nil, 0, true
}

// arrayElements returns the elements of the JSON array b, as slices of b.
func arrayElements(b []byte) ([][]byte, bool) {
	r := readElements(b)
	out := make([][]byte, 0, arrayLen(b))
	for v, ok := r.next(); ok; v, ok = r.next() {
		out = append(out, v)
	}
	return out, !r.bad
}
