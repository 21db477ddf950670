package aliexpress

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The platform writes the same field as a number in live traffic and as a string in its generated
// documentation demos, and wraps lists in TOP-style objects ({"product": [...]}) or not. The types in
// this file read every form the reference lists (sections 4.3 and 4.4) so that decoding never fails
// on a harmless variation.

// flexInt is an integer that may arrive as 123, "123", "", or null.
type flexInt int64

func (n *flexInt) UnmarshalJSON(b []byte) error {
	t, isNull, err := scalarBytes(b)
	if err != nil || isNull {
		return err
	}
	t = bytes.TrimSpace(t)
	if len(t) == 0 {
		*n = 0
		return nil
	}
	v, err := strconv.ParseInt(string(t), 10, 64)
	if err != nil {
		// Integers written as 12.0 by some generators.
		if f, ferr := strconv.ParseFloat(string(t), 64); ferr == nil && f == float64(int64(f)) {
			*n = flexInt(int64(f))
			return nil
		}
		return fmt.Errorf("not an integer: %.40q", string(t))
	}
	*n = flexInt(v)
	return nil
}

// flexString is a string that may arrive as a JSON number or boolean too. Text is kept exactly as
// sent (untrusted titles must reach their escaping byte for byte).
type flexString string

func (s *flexString) UnmarshalJSON(b []byte) error {
	t, isNull, err := scalarText(b)
	if err != nil || isNull {
		return err
	}
	*s = flexString(t)
	return nil
}

// flexBool is a boolean that may arrive as true, "true", "Y", 1, "1" or "yes".
type flexBool bool

func (v *flexBool) UnmarshalJSON(b []byte) error {
	t, isNull, err := scalarBytes(b)
	if err != nil || isNull {
		return err
	}
	switch strings.ToLower(string(bytes.TrimSpace(t))) {
	case "true", "y", "yes", "1":
		*v = true
	case "false", "n", "no", "0", "":
		*v = false
	default:
		return fmt.Errorf("not a boolean: %.40q", string(t))
	}
	return nil
}

// flexFloat is a decimal that may arrive as 4.8, "4.8", "96.5%" or "".
type flexFloat float64

func (f *flexFloat) UnmarshalJSON(b []byte) error {
	t, isNull, err := scalarBytes(b)
	if err != nil || isNull {
		return err
	}
	t = bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(t), []byte("%")))
	if len(t) == 0 {
		*f = 0
		return nil
	}
	v, err := strconv.ParseFloat(string(t), 64)
	if err != nil {
		return fmt.Errorf("not a number: %.40q", string(t))
	}
	*f = flexFloat(v)
	return nil
}

// scalarText returns the text of a JSON string, number or boolean.
func scalarText(b []byte) (s string, isNull bool, err error) {
	t, isNull, err := scalarBytes(b)
	return string(t), isNull, err
}

// scalarBytes is scalarText without the copy: the text of a string that needs no unquoting is
// returned in place, so that the numeric types parse it without allocating.
func scalarBytes(b []byte) (t []byte, isNull bool, err error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return nil, true, nil
	}
	switch b[0] {
	case '"':
		if in, ok := plainString(b); ok {
			return in, false, nil
		}
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return nil, false, err
		}
		return []byte(s), false, nil
	case '{', '[':
		return nil, false, fmt.Errorf("want a scalar, got %.20s", b)
	}
	return b, false, nil
}

// plainString returns the contents of the JSON string b when they read as they are written: no
// escapes and valid UTF-8. Anything else (ok false) is left to encoding/json, which unescapes and
// replaces invalid bytes.
func plainString(b []byte) (in []byte, ok bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return nil, false
	}
	in = b[1 : len(b)-1]
	ascii := true
	for _, c := range in {
		if c == '\\' || c == '"' || c < 0x20 {
			return nil, false
		}
		if c >= utf8.RuneSelf {
			ascii = false
		}
	}
	return in, ascii || utf8.Valid(in)
}

// list is a JSON list in any of the forms the platform uses: a bare array, a wrapper object with one
// key holding the array ({"product": [...]}), a wrapper holding a single element ({"product": {...}}),
// a lone element object, or nothing ({}, null, "").
type list[T any] []T

func (l *list[T]) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" || string(b) == `""` || string(b) == "{}" {
		*l = nil
		return nil
	}
	switch b[0] {
	case '[':
		items := make([]T, 0, arrayLen(b))
		if err := json.Unmarshal(b, &items); err != nil {
			return err
		}
		*l = items
		return nil
	case '{':
		inner, keys, ok := objectKeys(b)
		if !ok {
			return l.unmarshalWrapperSlow(b)
		}
		if keys == 1 {
			return l.unmarshalWrapped(b, inner)
		}
		return l.unmarshalOne(b)
	case '"':
		// A list of strings sent as one comma- or semicolon-separated string.
		s, err := jsonString(b)
		if err != nil {
			return err
		}
		var items []T
		for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' }) {
			var item T
			q, _ := json.Marshal(strings.TrimSpace(part))
			if err := json.Unmarshal(q, &item); err != nil {
				return fmt.Errorf("list element %.40q: %w", part, err)
			}
			items = append(items, item)
		}
		*l = items
		return nil
	}
	return l.unmarshalOne(b)
}

// unmarshalWrapped reads the value of an object's only key: the wrapped list, a wrapped single
// element or a wrapped scalar. b is the whole object, read as a lone element when the value does not
// decode as one.
func (l *list[T]) unmarshalWrapped(b, inner []byte) error {
	switch {
	case len(inner) == 0:
	case inner[0] == '[' || string(inner) == "null":
		var items list[T]
		if err := items.UnmarshalJSON(inner); err != nil {
			return err
		}
		*l = items
		return nil
	case inner[0] == '{':
		// A wrapper holding one element; but a lone element with one object field is read as that
		// element if it does not decode as T's wrapper.
		var one T
		if err := json.Unmarshal(inner, &one); err == nil {
			*l = []T{one}
			return nil
		}
		var items list[T]
		if err := items.UnmarshalJSON(inner); err != nil {
			return err
		}
		*l = items
		return nil
	default:
		// A wrapper holding one bare scalar: {"string": "https://..."}.
		var one T
		if err := json.Unmarshal(inner, &one); err == nil {
			*l = []T{one}
			return nil
		}
	}
	return l.unmarshalOne(b)
}

// unmarshalOne reads b as a lone element.
func (l *list[T]) unmarshalOne(b []byte) error {
	var one T
	if err := json.Unmarshal(b, &one); err != nil {
		return err
	}
	*l = []T{one}
	return nil
}

// unmarshalWrapperSlow reads an object whose keys objectKeys cannot compare (escapes, or one key
// given twice) the way encoding/json sees them: decoded into a map first.
func (l *list[T]) unmarshalWrapperSlow(b []byte) error {
	var wrapper map[string]json.RawMessage
	if err := json.Unmarshal(b, &wrapper); err != nil {
		return err
	}
	if len(wrapper) == 1 {
		for _, inner := range wrapper {
			return l.unmarshalWrapped(b, bytes.TrimSpace(inner))
		}
	}
	return l.unmarshalOne(b)
}

// jsonString unquotes the JSON string b.
func jsonString(b []byte) (string, error) {
	if in, ok := plainString(b); ok {
		return string(in), nil
	}
	var s string
	err := json.Unmarshal(b, &s)
	return s, err
}

// flexMoney is a price string read exactly into minor units once its currency is known.
type flexMoney string

func (m *flexMoney) UnmarshalJSON(b []byte) error {
	s, isNull, err := scalarText(b)
	if err != nil || isNull {
		return err
	}
	*m = flexMoney(s)
	return nil
}

// money converts a price and its currency. An empty price is the zero Money; a price that does not
// parse is reported so that the caller can name the field.
func (m flexMoney) money(currency flexString) (Money, error) {
	if strings.TrimSpace(string(m)) == "" {
		return Money{}, nil
	}
	return ParseMoney(string(m), string(currency))
}

// splitList splits a ';' or ',' separated string into trimmed non-empty parts.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// The envelope and list decoders first look at the few keys they need with the small reader below,
// and leave everything else to encoding/json: the body has been validated once (decodeSync,
// decodeRest) and is not parsed again layer by layer. Whatever the reader cannot compare as written
// (escaped or non-ASCII keys, repeated keys, another spelling encoding/json would match) sends the
// caller back to encoding/json, so an unusual answer decodes exactly as it always has.

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

// objectKeys counts the distinct keys of the JSON object b up to two: keys is 0, 1, or 2 for two
// or more. When there is one, value is its value: the shape of a list wrapper. ok is false when
// the count cannot be told from the keys as they are written (see objectMembers); the caller then
// asks encoding/json.
func objectKeys(b []byte) (value []byte, keys int, ok bool) {
	r := readMembers(b)
	key, value, ok := r.next()
	if !ok {
		return nil, 0, !r.bad
	}
	key2, _, ok := r.next()
	if !ok {
		return value, 1, !r.bad
	}
	if !plainKey(key) || !plainKey(key2) || string(key) == string(key2) {
		return nil, 0, false
	}
	return nil, 2, true
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

// syntaxError is encoding/json's error for b, which a reader found not to be JSON.
func syntaxError(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	return fmt.Errorf("cannot read %.20s", b)
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
