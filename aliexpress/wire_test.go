package aliexpress

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestListForms(t *testing.T) {
	type item struct {
		ID flexInt `json:"id"`
	}
	tests := []struct {
		name string
		in   string
		want []int64
	}{
		{"bare array", `[{"id":1},{"id":2}]`, []int64{1, 2}},
		{"wrapper with array", `{"item":[{"id":1},{"id":2}]}`, []int64{1, 2}},
		{"wrapper with one object", `{"item":{"id":7}}`, []int64{7}},
		{"lone element", `{"id":9,"other":"x"}`, []int64{9}},
		{"lone element with one member", `{"id":{"x":1}}`, []int64{0}},
		{"empty object", `{}`, nil},
		{"null", `null`, nil},
		{"empty string", `""`, nil},
		{"wrapper with null", `{"item":null}`, nil},
		{"ids as strings", `{"item":[{"id":"3"}]}`, []int64{3}},
		{"wrapper with spaces", " { \"item\" : [ {\"id\":1} , {\"id\":2} ] } ", []int64{1, 2}},
		{"wrapper with an empty array", `{"item":[]}`, nil},
		{"wrapper with an escaped key", `{"it\u0065m":[{"id":4}]}`, []int64{4}},
		{"wrapper with its key twice", `{"item":[{"id":1}],"item":[{"id":2}]}`, []int64{2}},
		{"lone element with a key twice", `{"id":5,"i\u0064":6}`, []int64{6}},
		{"null elements", `[null,{"id":1},null]`, []int64{1}},
	}
	for _, tt := range tests {
		var l list[item]
		if err := json.Unmarshal([]byte(tt.in), &l); err != nil {
			t.Errorf("%s: Unmarshal(%s) error = %v", tt.name, tt.in, err)
			continue
		}
		var got []int64
		for _, it := range l.all() {
			got = append(got, it.ID.v)
		}
		if !reflect.DeepEqual(got, tt.want) || len(l.bad) > 0 {
			t.Errorf("%s: Unmarshal(%s) = %v, problems %v; want %v and none", tt.name, tt.in, got, l.bad, tt.want)
		}
	}
}

// TestListLeavesOutWhatItCannotRead checks that an element that is not an object is left out,
// reported at its position, and that the items after it keep theirs in paths.
func TestListLeavesOutWhatItCannotRead(t *testing.T) {
	type item struct {
		ID    flexInt   `json:"id"`
		Price flexMoney `json:"price"`
	}
	var w struct {
		Items list[item] `json:"items"`
		Other list[item] `json:"other"`
	}
	in := `{"items":[{"id":1},"N/A",7,{"id":2,"price":"x"}],"other":"N/A"}`
	if err := json.Unmarshal([]byte(in), &w); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, it := range w.Items.all() {
		ids = append(ids, it.ID.v)
	}
	if !reflect.DeepEqual(ids, []int64{1, 2}) || w.Items.index(1) != 3 || w.Other.len() != 0 {
		t.Errorf("items %v (second at %d), other %d items; want [1 2] (second at 3) and none", ids, w.Items.index(1), w.Other.len())
	}
	got := problemsOf(&w, "result")
	want := []string{
		`result.items[1]: left out: want an object, got placeholder "N/A"`,
		`result.items[2]: left out: want an object, got a number`,
		`result.items[3].price: "x" is not a price`,
		`result.other: want a list, got placeholder "N/A"`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems = %q; want %q", got, want)
	}
}

// problemsOf decodes nothing: it lists the problems of a decoded wire value as "path: problem".
func problemsOf(v any, path string) []string {
	var out []string
	walkProblems(reflect.ValueOf(v).Elem(), path, func(p, problem string) { out = append(out, p+": "+problem) })
	return out
}

func TestListOfScalars(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{`{"string":["a","b"]}`, []string{"a", "b"}},
		{`["a"]`, []string{"a"}},
		{`"a;b ; c"`, []string{"a", "b", "c"}},
		{`{"number":[8100000000000001]}`, []string{"8100000000000001"}},
		{`{"string":"https://ae01.example/a.jpg"}`, []string{"https://ae01.example/a.jpg"}},
	}
	for _, tt := range tests {
		var l list[flexString]
		if err := json.Unmarshal([]byte(tt.in), &l); err != nil {
			t.Errorf("Unmarshal(%s) error = %v", tt.in, err)
			continue
		}
		var got []string
		for _, s := range l.all() {
			got = append(got, s.s)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Unmarshal(%s) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestFlexScalars(t *testing.T) {
	var v struct {
		N  flexInt    `json:"n"`
		N2 flexInt    `json:"n2"`
		N3 flexInt    `json:"n3"`
		S  flexString `json:"s"`
		B  flexBool   `json:"b"`
		B2 flexBool   `json:"b2"`
		F  flexFloat  `json:"f"`
		F2 flexFloat  `json:"f2"`
	}
	in := `{"n":1005001234567890,"n2":"57","n3":"","s":200,"b":"true","b2":false,"f":"96.5%","f2":4.8}`
	if err := json.Unmarshal([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	if v.N.v != 1005001234567890 || v.N2.v != 57 || v.N3.v != 0 || v.N3.set() || v.S.s != "200" || !v.B.v || v.B2.v || !v.B2.set ||
		v.F.v != 96.5 || v.F2.v != 4.8 {
		t.Errorf("Unmarshal(%s) = %+v", in, v)
	}
	if p := problemsOf(&v, ""); p != nil {
		t.Errorf("problems = %q; want none", p)
	}
	var title flexText
	if err := json.Unmarshal([]byte(`"\t=SUM(1,2) "`), &title); err != nil || title.s != "\t=SUM(1,2) " {
		t.Errorf("flexText kept %q; want the text byte for byte", title.s)
	}
}

// TestFlexScalarsBend checks what each tolerant type makes of odd values: read when what is inside
// the quotes parses, empty with a problem otherwise, and never an error.
func TestFlexScalarsBend(t *testing.T) {
	tests := []struct {
		in      string
		val     func(string) (any, string) // decodes in; returns the value and the problem
		want    any
		problem string // "" when the value reads
	}{
		{`"\"12.50\""`, decodeAs[flexMoney](func(m flexMoney) any { return m.money("USD") }), Money{1250, "USD"}, ""},
		{`" '8' "`, decodeAs[flexMoney](func(m flexMoney) any { return m.money("USD") }), Money{800, "USD"}, ""},
		{`"1,299.00"`, decodeAs[flexMoney](func(m flexMoney) any { return m.money("JPY") }), Money{1299, "JPY"}, ""},
		{`"N/A"`, decodeAs[flexMoney](func(m flexMoney) any { return m.money("USD") }), Money{}, `placeholder "N/A"`},
		{`"12,5.0"`, decodeAs[flexMoney](func(m flexMoney) any { return m.money("USD") }), Money{}, `"12,5.0" is not a price`},
		{`""`, decodeAs[flexMoney](func(m flexMoney) any { return m.money("USD") }), Money{}, ""},
		{`{"amount":"1"}`, decodeAs[flexMoney](func(m flexMoney) any { return m.money("USD") }), Money{}, "want a single value, got an object"},
		{`"\"57\""`, decodeAs[flexInt](func(n flexInt) any { return n.v }), int64(57), ""},
		{`"12.0"`, decodeAs[flexInt](func(n flexInt) any { return n.v }), int64(12), ""},
		{`"null"`, decodeAs[flexInt](func(n flexInt) any { return n.v }), int64(0), `placeholder "null"`},
		{`"undefined"`, decodeAs[flexInt](func(n flexInt) any { return n.v }), int64(0), `placeholder "undefined"`},
		{`"-"`, decodeAs[flexInt](func(n flexInt) any { return n.v }), int64(0), `placeholder "-"`},
		{`"12abc"`, decodeAs[flexInt](func(n flexInt) any { return n.v }), int64(0), `"12abc" is not an integer`},
		{`[1]`, decodeAs[flexInt](func(n flexInt) any { return n.v }), int64(0), "want a single value, got a list"},
		{`"1,004"`, decodeAs[flexCount](func(n flexCount) any { return n.v }), int64(1004), ""},
		{`"1000+"`, decodeAs[flexCount](func(n flexCount) any { return n.v }), int64(1000), ""},
		{`"lots"`, decodeAs[flexCount](func(n flexCount) any { return n.v }), int64(0), `"lots" is not a count`},
		{`"\"4.8\""`, decodeAs[flexFloat](func(f flexFloat) any { return f.v }), 4.8, ""},
		{`"NaN"`, decodeAs[flexFloat](func(f flexFloat) any { return f.v }), 0.0, `placeholder "NaN"`},
		{`"Y"`, decodeAs[flexBool](func(b flexBool) any { return b.v }), true, ""},
		{`"maybe"`, decodeAs[flexBool](func(b flexBool) any { return b.v }), false, `"maybe" is not a boolean`},
		{`" \"USD\" "`, decodeAs[flexString](func(s flexString) any { return s.s }), "USD", ""},
		{`"N/A"`, decodeAs[flexString](func(s flexString) any { return s.s }), "", `placeholder "N/A"`},
		{`"N/A"`, decodeAs[flexText](func(s flexText) any { return s.s }), "N/A", ""},
		{`{"a":1}`, decodeAs[flexText](func(s flexText) any { return s.s }), "", "want a single value, got an object"},
		{`"2024-03-01 10:00:00"`, decodeAs[flexTime](func(v flexTime) any { return v.t.UTC().Format(time.RFC3339) }), "2024-03-01T18:00:00Z", ""},
		{`"soon"`, decodeAs[flexTime](func(v flexTime) any { return v.t.IsZero() }), true, `"soon" is not a time`},
		{`[1700000000000,"1700000001000"]`, decodeAs[flexMillis](func(v flexMillis) any { return v.v }), int64(1700000001000), ""},
		{`"a.jpg;b.jpg"`, decodeAs[flexStrings](func(v flexStrings) any { return v.v }), []string{"a.jpg", "b.jpg"}, ""},
		{`"null"`, decodeAs[flexStrings](func(v flexStrings) any { return v.v }), []string(nil), `placeholder "null"`},
	}
	for _, tt := range tests {
		got, problem := tt.val(tt.in)
		if !reflect.DeepEqual(got, tt.want) || problem != tt.problem {
			t.Errorf("decoding %s = %v, problem %q; want %v, problem %q", tt.in, got, problem, tt.want, tt.problem)
		}
	}
}

// decodeAs returns a decoder of JSON text into T, which reports the converted value and T's problem.
func decodeAs[T any, P interface {
	*T
	json.Unmarshaler
	tolerant
}](conv func(T) any) func(string) (any, string) {
	return func(in string) (any, string) {
		var v T
		if err := P(&v).UnmarshalJSON([]byte(in)); err != nil {
			return err, "error"
		}
		var problem string
		P(&v).problems(&walker{emit: func(_, p string) { problem = p }})
		return conv(v), problem
	}
}

// TestWireTypesAreTolerant checks that every member of every wire struct is of a tolerant type, so
// that no odd value can fail a whole answer: a new field of a plain type would.
func TestWireTypesAreTolerant(t *testing.T) {
	tolerantType := reflect.TypeFor[tolerant]()
	var check func(path string, ty reflect.Type)
	check = func(path string, ty reflect.Type) {
		switch {
		case reflect.PointerTo(ty).Implements(tolerantType):
			return
		case ty == reflect.TypeFor[json.RawMessage]():
			return
		case ty.Kind() == reflect.Struct:
			for i := range ty.NumField() {
				f := ty.Field(i)
				if f.Tag.Get("json") == "" {
					t.Errorf("%s.%s has no json tag", path, f.Name)
					continue
				}
				check(path+"."+f.Name, f.Type)
			}
		default:
			t.Errorf("%s is a %s, which fails on an odd value; use a type of wire.go", path, ty)
		}
	}
	for _, v := range []any{
		dsProductWire{}, dsBaseWire{}, dsSKUWire{}, dsTextSearchWire{}, dsTextProductWire{}, dsFeedWire{}, dsFeedProductWire{},
		dsFeedNamesWire{}, dsFeedItemIDsWire{}, dsCategoriesWire{}, dsFreightWire{}, dsDeliveryOptionWire{}, dsAddressWire{},
		dsCreateOrderWire{}, dsOrderWire{}, dsChildOrderWire{}, dsTrackingWire{}, affProductWire{}, affProductResultWire{},
		affCategoryWire{}, affPromoListWire{}, affShippingWire{}, affSKUItemWire{}, affSKUWire{}, affLinkWire{},
		affOrderWire{}, affOrderResultWire{}, oauthTokenWire{}, errorBody{},
	} {
		ty := reflect.TypeOf(v)
		check(ty.Name(), ty)
	}
}

func TestObjectMembers(t *testing.T) {
	names := []string{"resp_code", "result"}
	tests := []struct {
		in     string
		ok     bool
		code   string // the resp_code member as written; "" when absent
		result string
	}{
		{`{"resp_code":200,"result":{"a":[1,"]}"]}}`, true, "200", `{"a":[1,"]}"]}`},
		{` { "result" : "x\"}" , "other" : {"resp_code":1} } `, true, "", `"x\"}"`},
		{`{}`, true, "", ""},
		{`{"resp_code":200,"resp_code":405}`, false, "", ""},                 // repeated: encoding/json keeps the last
		{`{"RESP_CODE":405}`, false, "", ""},                                 // struct decoding matches it regardless of case
		{`{"resp_\u0063ode":405}`, false, "", ""},                            // escaped: compared unescaped
		{`{"résumé":1,"result":2}`, false, "", ""},                           // non-ASCII key
		{`[{"resp_code":200}]`, false, "", ""},                               // not an object
		{`null`, false, "", ""},                                              //
		{`{"resp_code":200,"result":{"a":1}`, false, "", ""},                 // truncated
		{`{"resp_code":200} {"result":1}`, false, "", ""},                    // trailing value
		{`{"resp_code":200 "result":1}`, false, "", ""},                      // no comma
		{`{"resp_codes":200,"RESULTS":{}}`, true, "", ""},                    // other keys, even in capitals, are skipped
		{`{"resp_code":"a\\","result":"\\\\\""}`, true, `"a\\"`, `"\\\\\""`}, // backslashes before quotes
	}
	for _, tt := range tests {
		vals := make([][]byte, len(names))
		ok := objectMembers([]byte(tt.in), names, vals)
		if ok != tt.ok || ok && (string(vals[0]) != tt.code || string(vals[1]) != tt.result) {
			t.Errorf("objectMembers(%s) = %q, %v; want [%s %s], %v", tt.in, vals, ok, tt.code, tt.result, tt.ok)
		}
	}
}

// FuzzJSONReaders checks the readers behind the decoders' fast paths against encoding/json: on any
// valid JSON, what they report is what encoding/json reads, and a memberDecoder decoded member by
// member equals the struct decoded whole.
func FuzzJSONReaders(f *testing.F) {
	for _, dir := range []string{"affiliate", "ds"} {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*.json"))
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
			// The result objects too, which the member decoders read.
			var top map[string]map[string]json.RawMessage
			_ = json.Unmarshal(b, &top)
			for _, payload := range top {
				f.Add([]byte(payload["result"]))
				var rr struct{ Result json.RawMessage }
				_ = json.Unmarshal(payload["resp_result"], &rr)
				f.Add([]byte(rr.Result))
			}
		}
	}
	for _, s := range []string{`{"a":1,"a":2}`, `{"A":1}`, `{"\u0061":1,"b":[]}`, `{"a":"\\\"","b":{"c":"}"}}`,
		`[1, "2", [3], {"4":5}, null]`, `{ }`, `[ ]`, `{"a":{"b":1},"c":2}`, `{"ae_item_sku_info_dtos":{"x":[{"sku_id":1}]}}`} {
		f.Add([]byte(s))
	}
	names := []string{"a", "b", "resp_result", "request_id"}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) {
			return
		}
		if end, ok := skipValue(b, skipSpace(b, 0)); !ok || skipSpace(b, end) != len(b) {
			t.Fatalf("skipValue(%q) = %d, %v; want the end of the value", b, end, ok)
		}
		vals := make([][]byte, len(names))
		if objectMembers(b, names, vals) {
			var m map[string]json.RawMessage
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatalf("objectMembers read %q, which encoding/json does not read as an object: %v", b, err)
			}
			var s struct {
				A          json.RawMessage `json:"a"`
				B          json.RawMessage `json:"b"`
				RespResult json.RawMessage `json:"resp_result"`
				RequestID  json.RawMessage `json:"request_id"`
			}
			if err := json.Unmarshal(b, &s); err != nil {
				t.Fatal(err)
			}
			for i, want := range []json.RawMessage{s.A, s.B, s.RespResult, s.RequestID} {
				if !bytes.Equal(vals[i], want) || !bytes.Equal(vals[i], m[names[i]]) {
					t.Fatalf("objectMembers(%q) %s = %q; encoding/json reads %q into a struct, %q into a map",
						b, names[i], vals[i], want, m[names[i]])
				}
			}
		}
		if k, v, keys, ok := onlyMember(b); bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")) {
			var m map[string]json.RawMessage
			if err := json.Unmarshal(b, &m); err != nil || !ok {
				t.Fatalf("onlyMember(%q) ok = %v; encoding/json reads it as an object: %v", b, ok, err)
			}
			if want := min(len(m), 2); keys != want {
				t.Fatalf("onlyMember(%q) = %d keys; want %d", b, keys, want)
			}
			for only, value := range m {
				if keys == 1 && (k != only || !bytes.Equal(v, bytes.TrimSpace(value))) {
					t.Fatalf("onlyMember(%q) = %q: %q; want %q: %q", b, k, v, only, value)
				}
			}
		}
		var elems []json.RawMessage
		if json.Unmarshal(b, &elems) == nil && elems != nil {
			r := readElements(b)
			for i := 0; ; i++ {
				v, ok := r.next()
				if !ok {
					if r.bad || i != len(elems) || arrayLen(b) != len(elems) {
						t.Fatalf("readElements(%q) stopped at %d (bad %v), arrayLen %d; want %d elements", b, i, r.bad, arrayLen(b), len(elems))
					}
					break
				}
				if i >= len(elems) || !bytes.Equal(v, elems[i]) {
					t.Fatalf("readElements(%q) element %d = %q; want %v", b, i, v, elems)
				}
			}
		}
		checkMemberDecoder(t, b, &affProductResultWire{}, &affProductResultWire{})
		checkMemberDecoder(t, b, &dsProductWire{}, &dsProductWire{})
	})
}

// checkMemberDecoder checks that when decodeMembers reads b into fast, json.Unmarshal reads it
// into whole the same way.
func checkMemberDecoder[T any, P interface {
	*T
	memberDecoder
}](t *testing.T, b []byte, fast, whole P) {
	t.Helper()
	if !decodeMembers(b, fast) {
		return
	}
	if err := json.Unmarshal(b, whole); err != nil {
		t.Fatalf("decodeMembers read %q into %T, which json.Unmarshal refuses: %v", b, fast, err)
	}
	if !reflect.DeepEqual(fast, whole) {
		t.Fatalf("decodeMembers(%q) = %+v; json.Unmarshal reads %+v", b, *fast, *whole)
	}
}

// TestMemberDecoders checks that each memberDecoder lists every member of its struct, by the name
// in its tag, pointing at its field.
func TestMemberDecoders(t *testing.T) {
	for _, d := range []memberDecoder{&affProductResultWire{}, &dsProductWire{}} {
		v := reflect.ValueOf(d).Elem()
		byTag := make(map[string]reflect.Value)
		for i := range v.NumField() {
			tag, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
			byTag[tag] = v.Field(i)
		}
		names, fields := d.members()
		if len(names) != len(byTag) || len(fields) != len(names) {
			t.Errorf("%T.members() = %d names, %d fields; want the %d members of the struct", d, len(names), len(fields), len(byTag))
			continue
		}
		for i, name := range names {
			if f, ok := byTag[name]; !ok || reflect.ValueOf(fields[i]).Pointer() != f.Addr().Pointer() {
				t.Errorf("%T.members() names %q but does not point at the field tagged so", d, name)
			}
		}
	}
}
