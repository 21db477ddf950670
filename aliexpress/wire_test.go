package aliexpress

import (
	"encoding/json"
	"testing"

	"reflect"
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
		{"empty object", `{}`, nil},
		{"null", `null`, nil},
		{"empty string", `""`, nil},
		{"wrapper with null", `{"item":null}`, nil},
		{"ids as strings", `{"item":[{"id":"3"}]}`, []int64{3}},
	}
	for _, tt := range tests {
		var l list[item]
		if err := json.Unmarshal([]byte(tt.in), &l); err != nil {
			t.Errorf("%s: Unmarshal(%s) error = %v", tt.name, tt.in, err)
			continue
		}
		var got []int64
		for _, it := range l {
			got = append(got, int64(it.ID))
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Unmarshal(%s) = %v; want %v", tt.name, tt.in, got, tt.want)
		}
	}
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
		for _, s := range l {
			got = append(got, string(s))
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
	if v.N != 1005001234567890 || v.N2 != 57 || v.N3 != 0 || v.S != "200" || !bool(v.B) || bool(v.B2) || v.F != 96.5 || v.F2 != 4.8 {
		t.Errorf("Unmarshal(%s) = %+v", in, v)
	}
	var title flexString
	if err := json.Unmarshal([]byte(`"\t=SUM(1,2) "`), &title); err != nil || title != "\t=SUM(1,2) " {
		t.Errorf("flexString kept %q; want the text byte for byte", title)
	}
	var bad flexInt
	if err := json.Unmarshal([]byte(`"12abc"`), &bad); err == nil {
		t.Error(`flexInt("12abc") error = nil; want an error`)
	}
}
