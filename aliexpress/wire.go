package aliexpress

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The platform writes the same field as a number in live traffic and as a string in its generated
// documentation demos, wraps lists in TOP-style objects ({"product": [...]}) or not, and now and
// then sends a value nobody can read ("N/A", a price inside stray quotes, an object where a number
// belongs). The wire types in this file are the one family every method decodes with: each reads
// every form the reference lists (sections 4.3 and 4.4) and never fails. A value it cannot read is
// left empty and remembered; after decoding, problems walks the wire struct and reports each one
// with its JSON path, so that a method can fail on a field it cannot do without and list the
// others as Response.Warnings.

// tolerant is implemented by every wire type: problems reports, at the walker's path, each value
// that could not be read and each list element that was left out.
type tolerant interface {
	problems(w *walker)
}

// walker finds the problems of a decoded wire value, with their JSON paths. The path is built in
// one buffer as the walk goes down and up, so that the values that read (nearly all of them) cost
// no allocation; the struct fields of each type are looked up once per walk.
type walker struct {
	path   []byte
	fields map[reflect.Type][]walkField
	emit   func(path, problem string)
}

// walkField is a struct field with a JSON name.
type walkField struct {
	index int
	name  string
}

// walkProblems reports the problems of the decoded wire value v (a struct, or a tolerant type)
// under path. Struct fields are named by their json tags.
func walkProblems(v reflect.Value, path string, emit func(path, problem string)) {
	w := &walker{path: append(make([]byte, 0, 128), path...), emit: emit}
	w.walk(v)
}

// report emits a problem at the current path.
func (w *walker) report(problem string) {
	if problem != "" {
		w.emit(string(w.path), problem)
	}
}

// member moves the path down to a member; back moves it up again to the mark returned.
func (w *walker) member(name string) (mark int) {
	mark = len(w.path)
	if mark > 0 {
		w.path = append(w.path, '.')
	}
	w.path = append(w.path, name...)
	return mark
}

// element moves the path down to a list element.
func (w *walker) element(i int) (mark int) {
	mark = len(w.path)
	w.path = append(w.path, '[')
	w.path = strconv.AppendInt(w.path, int64(i), 10)
	w.path = append(w.path, ']')
	return mark
}

func (w *walker) back(mark int) { w.path = w.path[:mark] }

// walk reports the problems of v at the current path.
func (w *walker) walk(v reflect.Value) {
	if v.CanAddr() {
		if t, ok := v.Addr().Interface().(tolerant); ok {
			t.problems(w)
			return
		}
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			w.walk(v.Elem())
		}
	case reflect.Struct:
		for _, f := range w.structFields(v.Type()) {
			mark := w.member(f.name)
			w.walk(v.Field(f.index))
			w.back(mark)
		}
	}
}

// structFields returns the fields of t that have a JSON name.
func (w *walker) structFields(t reflect.Type) []walkField {
	if fs, ok := w.fields[t]; ok {
		return fs
	}
	var fs []walkField
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
			fs = append(fs, walkField{i, name})
		}
	}
	if w.fields == nil {
		w.fields = make(map[reflect.Type][]walkField)
	}
	w.fields[t] = fs
	return fs
}

// joinPath appends a member name to a JSON path.
func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// indexPath appends a list index to a JSON path.
func indexPath(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

// flexInt is an integer that may arrive as 123, "123", "12.0", "\"123\"", "" (0) or null (0).
type flexInt struct {
	v     int64
	given bool   // a number was read
	bad   string // why the value could not be read; "" when it was
}

func (n *flexInt) UnmarshalJSON(b []byte) error {
	*n = flexInt{}
	t, bad := tokenText(b)
	if n.bad = bad; bad != "" || len(t) == 0 {
		return nil
	}
	v, err := strconv.ParseInt(string(t), 10, 64)
	if err != nil {
		// Integers written as 12.0 by some generators.
		f, ferr := strconv.ParseFloat(string(t), 64)
		if ferr != nil || f != math.Trunc(f) || f < -1<<62 || f > 1<<62 {
			n.bad = fmt.Sprintf("%.40q is not an integer", t)
			return nil
		}
		v = int64(f)
	}
	n.v, n.given = v, true
	return nil
}

func (n *flexInt) problems(w *walker) { w.report(n.bad) }

// set reports whether a readable number was given.
func (n flexInt) set() bool { return n.given }

// flexCount is a count the platform may round or format: "1000+", "1,004", 13.0.
type flexCount struct {
	v   int64
	bad string
}

func (n *flexCount) UnmarshalJSON(b []byte) error {
	*n = flexCount{}
	t, bad := tokenText(b)
	if n.bad = bad; bad != "" || len(t) == 0 {
		return nil
	}
	s := strings.TrimSuffix(strings.ReplaceAll(string(t), ",", ""), "+")
	if v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil && v >= 0 && v <= 1<<31 {
		n.v = v
	} else if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil && f >= 0 && f <= 1<<31 {
		n.v = int64(f)
	} else {
		n.bad = fmt.Sprintf("%.40q is not a count", t)
	}
	return nil
}

func (n *flexCount) problems(w *walker) { w.report(n.bad) }

// flexFloat is a decimal that may arrive as 4.8, "4.8", "96.5%" or "" (0); set reports whether the
// field held any text at all, even text that reads as 0.
type flexFloat struct {
	v   float64
	set bool
	bad string
}

func (f *flexFloat) UnmarshalJSON(b []byte) error {
	*f = flexFloat{}
	t, bad := tokenText(b)
	f.bad, f.set = bad, len(t) > 0 || bad != ""
	if bad != "" || len(t) == 0 {
		return nil
	}
	t = bytes.TrimSpace(bytes.TrimSuffix(t, []byte("%")))
	v, err := strconv.ParseFloat(string(t), 64)
	if err != nil || math.IsNaN(v) || v > 1e12 || v < -1e12 {
		f.bad = fmt.Sprintf("%.40q is not a number", t)
		return nil
	}
	f.v = v
	return nil
}

func (f *flexFloat) problems(w *walker) { w.report(f.bad) }

// flexBool is a boolean that may arrive as true, "true", "Y", 1, "1" or "yes"; set reports whether
// it was given (an empty string is not).
type flexBool struct {
	v   bool
	set bool
	bad string
}

func (v *flexBool) UnmarshalJSON(b []byte) error {
	*v = flexBool{}
	t, bad := tokenText(b)
	if v.bad = bad; bad != "" || len(t) == 0 {
		return nil
	}
	switch strings.ToLower(string(t)) {
	case "true", "y", "yes", "1":
		v.v, v.set = true, true
	case "false", "n", "no", "0":
		v.set = true
	default:
		v.bad = fmt.Sprintf("%.40q is not a boolean", t)
	}
	return nil
}

func (v *flexBool) problems(w *walker) { w.report(v.bad) }

// flexString is a short token: an ID, a code, a URL, a currency. It may arrive as a string, a
// number or a boolean; spaces and stray quotes around it are removed, and a placeholder ("null",
// "N/A", "undefined", "-") is read as empty, with a problem.
type flexString struct {
	s   string
	bad string
}

func (s *flexString) UnmarshalJSON(b []byte) error {
	*s = flexString{}
	t, bad := tokenText(b)
	s.bad = bad
	if bad == "" {
		s.s = string(t)
	}
	return nil
}

func (s *flexString) problems(w *walker) { w.report(s.bad) }

// flexText is free text (a title, a name, a message, HTML), kept exactly as sent: untrusted text
// must reach its escaping byte for byte. A number or boolean is read as its text.
type flexText struct {
	s   string
	bad string
}

func (s *flexText) UnmarshalJSON(b []byte) error {
	*s = flexText{}
	t, isNull, bad := scalarBytes(b)
	if s.bad = bad; bad == "" && !isNull {
		s.s = string(t)
	}
	return nil
}

func (s *flexText) problems(w *walker) { w.report(s.bad) }

// flexMoney is a price as the platform writes it ("12.73", "1,299.00", "\"8\""), checked when it
// is decoded and read exactly into minor units once its currency is known.
type flexMoney struct {
	text string // the price, cleaned of spaces and stray quotes; "" when none was given
	bad  string
}

func (m *flexMoney) UnmarshalJSON(b []byte) error {
	*m = flexMoney{}
	t, bad := tokenText(b)
	if m.bad = bad; bad != "" || len(t) == 0 {
		if bad != "" {
			m.text = cleanedText(b)
		}
		return nil
	}
	m.text = string(t)
	// Three decimals is the most any currency has, and the tightest range: a price that reads
	// with three reads with fewer.
	if _, err := parseMinor(m.text, 3); err != nil {
		m.bad = fmt.Sprintf("%.40q is not a price", t)
	}
	return nil
}

func (m *flexMoney) problems(w *walker) { w.report(m.bad) }

// given reports whether a readable price was sent.
func (m flexMoney) given() bool { return m.bad == "" && m.text != "" }

// money converts the price to currency. A price that was empty or could not be read is the zero
// Money (its problem was reported when it was decoded).
func (m flexMoney) money(currency string) Money {
	if !m.given() {
		return Money{}
	}
	v, err := ParseMoney(m.text, currency)
	if err != nil {
		return Money{}
	}
	return v
}

// amount reads an amount the platform documents as a Number without a unit (affiliate order
// amounts): an integer is minor units of currency (cents), a decimal with a point major units.
func (m flexMoney) amount(currency string) Money {
	if !m.given() || strings.Contains(m.text, ".") {
		return m.money(currency)
	}
	v, err := parseMinor(m.text, 0)
	if err != nil {
		return Money{}
	}
	return Money{Amount: v, Currency: strings.ToUpper(strings.TrimSpace(currency))}
}

// flexTime is a time as the affiliate API writes it: "2006-01-02 15:04:05" in PST, RFC 3339, or
// epoch seconds or milliseconds.
type flexTime struct {
	t   time.Time
	bad string
}

func (v *flexTime) UnmarshalJSON(b []byte) error {
	*v = flexTime{}
	t, bad := tokenText(b)
	if v.bad = bad; bad != "" || len(t) == 0 {
		return nil
	}
	s := string(t)
	if tt, err := time.ParseInLocation(affPlatformTimeLayout, s, affPST); err == nil {
		v.t = tt
		return nil
	}
	if tt, err := time.Parse(time.RFC3339, s); err == nil {
		v.t = tt
		return nil
	}
	if len(s) >= 9 && len(s) <= 13 && allDigits(s) {
		n, _ := strconv.ParseInt(s, 10, 64)
		if len(s) <= 10 {
			v.t = time.Unix(n, 0).In(affPST)
		} else {
			v.t = time.UnixMilli(n).In(affPST)
		}
		return nil
	}
	v.bad = fmt.Sprintf("%.40q is not a time", s)
	return nil
}

func (v *flexTime) problems(w *walker) { w.report(v.bad) }

// flexMillis is an epoch-milliseconds time that may come as a number, a string or a list of them
// (eta_time_stamps); the latest is kept.
type flexMillis struct {
	v   int64
	bad string
}

func (t *flexMillis) UnmarshalJSON(b []byte) error {
	*t = flexMillis{}
	var items list[flexInt]
	_ = items.UnmarshalJSON(b) // a list never fails; its problems are read below
	for _, p := range items.bad {
		t.bad = p.problem
	}
	for _, v := range items.items {
		if v.bad != "" {
			t.bad = v.bad
		}
		t.v = max(t.v, v.v)
	}
	return nil
}

func (t *flexMillis) problems(w *walker) { w.report(t.bad) }

// time returns the time in UTC; zero when none was given.
func (t flexMillis) time() time.Time {
	if t.v <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(t.v).UTC()
}

// flexStrings is a list of strings (image URLs, mostly) in any form the platform uses: a bare
// array, a wrapper object ({"string": [...]} or {"string": "one"}), or one string of values
// separated by ';' (or by ',' when there is no ';'). Empty values are left out.
type flexStrings struct {
	v   []string
	bad string
}

func (l *flexStrings) UnmarshalJSON(b []byte) error {
	*l = flexStrings{}
	l.read(bytes.TrimSpace(b), true)
	return nil
}

// read adds the strings of b; wrapped says whether b may still be a wrapper object.
func (l *flexStrings) read(b []byte, wrapped bool) {
	switch {
	case len(b) == 0 || string(b) == "null":
	case b[0] == '"':
		s, err := jsonString(b)
		if err != nil {
			l.bad = "not a string"
			return
		}
		if s = strings.TrimSpace(s); isPlaceholder(s) {
			l.bad = fmt.Sprintf("placeholder %.40q", s)
			return
		}
		sep := ";"
		if !strings.Contains(s, ";") {
			sep = ","
		}
		for _, p := range strings.Split(s, sep) {
			if p = strings.TrimSpace(p); p != "" {
				l.v = append(l.v, p)
			}
		}
	case b[0] == '[':
		elems, ok := arrayElements(b)
		if !ok {
			l.bad = "not a JSON array"
			return
		}
		l.v = make([]string, 0, len(elems))
		for _, e := range elems {
			var one flexString
			if _ = one.UnmarshalJSON(e); one.bad != "" {
				l.bad = one.bad
			} else if one.s != "" {
				l.v = append(l.v, one.s)
			}
		}
	case b[0] == '{' && wrapped:
		_, inner, keys, ok := onlyMember(b)
		switch {
		case !ok || keys > 1:
			l.bad = "want a list of strings, got an object"
		case keys == 1:
			l.read(bytes.TrimSpace(inner), false)
		}
	default:
		var one flexString
		if _ = one.UnmarshalJSON(b); one.bad != "" {
			l.bad = one.bad
		} else if one.s != "" {
			l.v = append(l.v, one.s)
		}
	}
}

func (l *flexStrings) problems(w *walker) { w.report(l.bad) }

// scalarBytes returns the text of a JSON string, number or boolean: a string that needs no
// unquoting in place, without a copy. bad says why b is not a scalar (an object or an array).
func scalarBytes(b []byte) (t []byte, isNull bool, bad string) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return nil, true, ""
	}
	switch b[0] {
	case '"':
		if in, ok := plainString(b); ok {
			return in, false, ""
		}
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return nil, false, "not a string"
		}
		return []byte(s), false, ""
	case '{', '[':
		return nil, false, "want a single value, got " + describeJSON(b)
	}
	return b, false, ""
}

// tokenText is scalarBytes for a number, code or ID: spaces and stray quotes around the text are
// removed, and a placeholder is a problem.
func tokenText(b []byte) (t []byte, bad string) {
	t, _, bad = scalarBytes(b)
	if bad != "" {
		return nil, bad
	}
	t = trimStray(t)
	if isPlaceholder(t) {
		return nil, fmt.Sprintf("placeholder %.40q", t)
	}
	return t, ""
}

// cleanedText is the text of b for a message, whatever it is.
func cleanedText(b []byte) string {
	t, _, bad := scalarBytes(b)
	if bad != "" {
		return ""
	}
	return string(trimStray(t))
}

// trimStray removes spaces and quotes around t: "\"12.50\"" as sent reads as 12.50.
func trimStray(t []byte) []byte {
	t = bytes.TrimSpace(t)
	for len(t) >= 2 && (t[0] == '"' || t[0] == '\'') && t[len(t)-1] == t[0] {
		t = bytes.TrimSpace(t[1 : len(t)-1])
	}
	return t
}

// isPlaceholder reports whether s is one of the texts that generators write for "no value".
func isPlaceholder[S ~string | ~[]byte](s S) bool {
	if len(s) == 0 || len(s) > 9 {
		return false
	}
	for _, p := range [...]string{"null", "nil", "undefined", "n/a", "nan", "-", "--", "\u2014", "none", "(null)"} {
		if len(p) == len(s) && strings.EqualFold(p, string(s)) {
			return true
		}
	}
	return false
}

// describeJSON names the kind of a JSON value for a message.
func describeJSON(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case '"':
		if s, err := jsonString(b); err == nil && isPlaceholder(strings.TrimSpace(s)) {
			return fmt.Sprintf("placeholder %.40q", strings.TrimSpace(s))
		}
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
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

// jsonString unquotes the JSON string b.
func jsonString(b []byte) (string, error) {
	if in, ok := plainString(b); ok {
		return string(in), nil
	}
	var s string
	err := json.Unmarshal(b, &s)
	return s, err
}

// list is a JSON list in any of the forms the platform uses: a bare array, a wrapper object with
// one key holding the array ({"product": [...]}), a wrapper holding a single element ({"product":
// {...}}), a lone element object, a string of ';' or ',' separated scalars, or nothing ({}, null,
// ""). An element that cannot be read as T is left out and remembered, with its position.
type list[T any] struct {
	items []T
	at    []int         // the position of each item as sent, once an element was left out
	bad   []listProblem // what was left out, and why
}

type listProblem struct {
	index   int // -1: the list as a whole
	problem string
}

// all returns the items.
func (l *list[T]) all() []T { return l.items }

// len returns the number of items.
func (l *list[T]) len() int { return len(l.items) }

// index returns the position item i had in the list as sent, for a JSON path.
func (l *list[T]) index(i int) int {
	if l.at != nil {
		return l.at[i]
	}
	return i
}

func (l *list[T]) problems(w *walker) {
	for _, p := range l.bad {
		if p.index < 0 {
			w.report(p.problem)
			continue
		}
		mark := w.element(p.index)
		w.report(p.problem)
		w.back(mark)
	}
	for i := range l.items {
		mark := w.element(l.index(i))
		w.walk(reflect.ValueOf(&l.items[i]).Elem())
		w.back(mark)
	}
}

func (l *list[T]) UnmarshalJSON(b []byte) error {
	*l = list[T]{}
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" || string(b) == `""` || string(b) == "{}" {
		return nil
	}
	object := isObjectType(reflect.TypeFor[T]())
	switch b[0] {
	case '[':
		l.addArray(b)
	case '{':
		key, inner, keys, ok := onlyMember(b)
		switch {
		case !ok:
			l.bad = append(l.bad, listProblem{-1, "not a JSON object"})
		case keys == 1 && !loneElement(reflect.TypeFor[T](), key, inner):
			l.addWrapped(inner)
		default:
			l.add(b, 0)
		}
	case '"':
		if object {
			l.bad = append(l.bad, listProblem{-1, "want a list, got " + describeJSON(b)})
			return nil
		}
		// A list of scalars sent as one separated string.
		s, _ := jsonString(b)
		sep := ";"
		if !strings.Contains(s, ";") {
			sep = ","
		}
		i := 0
		for _, part := range strings.Split(s, sep) {
			if part = strings.TrimSpace(part); part != "" {
				q, _ := json.Marshal(part)
				l.add(q, i)
				i++
			}
		}
	default:
		if object {
			l.bad = append(l.bad, listProblem{-1, "want a list, got " + describeJSON(b)})
			return nil
		}
		l.add(b, 0)
	}
	return nil
}

// addWrapped reads the value of a wrapper's only key: the list, one element, or nothing.
func (l *list[T]) addWrapped(inner []byte) {
	inner = bytes.TrimSpace(inner)
	switch {
	case len(inner) == 0 || string(inner) == "null":
	case inner[0] == '[':
		l.addArray(inner)
	default:
		l.add(inner, 0)
	}
}

// addArray adds the elements of the JSON array b.
func (l *list[T]) addArray(b []byte) {
	elems, ok := arrayElements(b)
	if !ok {
		l.bad = append(l.bad, listProblem{-1, "not a JSON array"})
		return
	}
	l.items = make([]T, 0, len(elems))
	for i, e := range elems {
		l.add(e, i)
	}
}

// add adds the element b, found at position i; one that cannot be read as T is left out.
func (l *list[T]) add(b []byte, i int) {
	if string(bytes.TrimSpace(b)) == "null" {
		l.skip(i, "")
		return
	}
	var zero T
	l.items = append(l.items, zero)
	if err := decodeValue(b, &l.items[len(l.items)-1]); err != nil {
		l.items = l.items[:len(l.items)-1]
		l.skip(i, "left out: want an object, got "+describeJSON(b))
		return
	}
	if l.at != nil {
		l.at = append(l.at, i)
	}
}

// skip leaves out the element at position i, remembering why when problem is not empty.
func (l *list[T]) skip(i int, problem string) {
	if l.at == nil {
		l.at = make([]int, len(l.items), cap(l.items))
		for j := range l.at {
			l.at[j] = j
		}
	}
	if problem != "" {
		l.bad = append(l.bad, listProblem{i, problem})
	}
}

// obj is a JSON object that may be missing or replaced by something else ("", "N/A", a list):
// anything but an object leaves it empty, with a problem. set reports whether an object was given.
type obj[T any] struct {
	v   T
	set bool
	bad string
}

func (o *obj[T]) UnmarshalJSON(b []byte) error {
	*o = obj[T]{}
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" || string(b) == `""` {
		return nil
	}
	if b[0] != '{' {
		o.bad = "want an object, got " + describeJSON(b)
		return nil
	}
	if err := decodeValue(b, &o.v); err != nil {
		var zero T
		o.v, o.bad = zero, "not a JSON object"
		return nil
	}
	o.set = true
	return nil
}

func (o *obj[T]) problems(w *walker) {
	w.report(o.bad)
	w.walk(reflect.ValueOf(&o.v).Elem())
}

// isObjectType reports whether a wire type is read from a JSON object (a struct with json fields,
// or a map), rather than from a scalar.
func isObjectType(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Map:
		return true
	case reflect.Struct:
		for i := range t.NumField() {
			if t.Field(i).Tag.Get("json") != "" {
				return true
			}
		}
	}
	return false
}

// loneElement tells a list's lone element with one member from a wrapper holding the list: the
// object {key: value} is an element of type t when key names a member of t (as encoding/json
// matches names, regardless of case) that can hold value. A list or an object under a member that
// holds a single value is a wrapper: {"promotion_link": [...]} wraps links, whose own
// promotion_link is a URL.
func loneElement(t reflect.Type, key string, value []byte) bool {
	if t.Kind() != reflect.Struct || len(value) == 0 {
		return false
	}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if !strings.EqualFold(name, key) {
			continue
		}
		single := reflect.PointerTo(t.Field(i).Type).Implements(reflect.TypeFor[singleValue]())
		return !single || (value[0] != '[' && value[0] != '{')
	}
	return false
}

// singleValue is implemented by the wire types read from one JSON scalar.
type singleValue interface{ singleValue() }

func (*flexInt) singleValue()    {}
func (*flexCount) singleValue()  {}
func (*flexFloat) singleValue()  {}
func (*flexBool) singleValue()   {}
func (*flexString) singleValue() {}
func (*flexText) singleValue()   {}
func (*flexMoney) singleValue()  {}
func (*flexTime) singleValue()   {}

// decodeValue decodes the JSON value b into v, a pointer to a wire type: member by member when v
// is a memberDecoder, else with encoding/json. Wire types never fail on their own, so an error
// means that b is not what v is read from (a list where an object belongs).
func decodeValue(b []byte, v any) error {
	switch d := v.(type) {
	case json.Unmarshaler:
		// A wire type of this file: b is valid JSON (the body was checked whole).
		return d.UnmarshalJSON(b)
	case memberDecoder:
		if decodeMembers(b, d) {
			return nil
		}
	}
	return json.Unmarshal(b, v)
}
