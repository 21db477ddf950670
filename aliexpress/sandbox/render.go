package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// obj is a JSON object of a response under construction.
type obj = map[string]any

// WireForm is a form the platform's answers come in. The reference finds one field written
// differently by live traffic and by the official documentation's samples (its sections 4.1, 4.3
// and 4.4); a client has to read them all, and Options.Wire makes the Sandbox answer in one of them.
type WireForm string

const (
	// WireLive is what live traffic shows, and the default: lists in TOP wrapper objects named for
	// their element ({"products": {"product": [...]}}), Number and Boolean fields as JSON numbers
	// and booleans, prices and rates as strings.
	WireLive WireForm = "live"
	// WireBareLists gives lists as bare arrays ({"products": [...]}), as the JSON sample of
	// ds.product.get and the legacy simplify=true do; scalars as in WireLive.
	WireBareLists WireForm = "bare-lists"
	// WireStringScalars writes every number and boolean as a string ("rsp_code": "200",
	// "is_success": "true"), as the auto-generated doc demos do; lists stay wrapped.
	WireStringScalars WireForm = "string-scalars"
	// WireDocSample is the auto-generated doc demos whole: bare arrays, every scalar a string, and
	// "code": "0" and request_id at the top level beside <method>_response instead of inside it.
	WireDocSample WireForm = "doc-sample"
)

// WireForms lists every WireForm, WireLive first, for tests that run a client against each.
func WireForms() []WireForm {
	return []WireForm{WireLive, WireBareLists, WireStringScalars, WireDocSample}
}

// wireShape is what a WireForm changes in an answer.
type wireShape struct {
	bare    bool // lists as bare arrays
	str     bool // numbers and booleans as strings
	topCode bool // "code" and request_id beside <method>_response
}

var wireShapes = map[WireForm]wireShape{
	WireLive:          {},
	WireBareLists:     {bare: true},
	WireStringScalars: {str: true},
	WireDocSample:     {bare: true, str: true, topCode: true},
}

// wrapped is a list field. Live responses give it in the TOP convention, as an object holding one key
// named for the element type ({"product": [...]}); the bare forms give the array itself. A list
// whose wrapper key the platform never shows is built as a plain []any and is bare in every form.
type wrapped struct {
	key   string
	items []any
}

// wrap builds a list field of element type key from xs.
func wrap[T any](key string, xs []T, f func(T) any) wrapped {
	items := make([]any, 0, len(xs))
	for _, x := range xs {
		items = append(items, f(x))
	}
	return wrapped{key: key, items: items}
}

// encode renders v as JSON in the Sandbox's WireForm. HTML characters are not escaped: the
// platform's Java serializer does not, so hostile titles arrive verbatim.
func (s *Sandbox) encode(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(render(v, s.form.bare, s.form.str)); err != nil {
		// Only values this package builds reach here; a failure is a bug in the sandbox.
		panic(fmt.Sprintf("sandbox: encode response: %v", err))
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func render(v any, bare, str bool) any {
	switch v := v.(type) {
	case obj:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = render(x, bare, str)
		}
		return out
	case wrapped:
		items := make([]any, len(v.items))
		for i, x := range v.items {
			items[i] = render(x, bare, str)
		}
		if bare {
			return items
		}
		return map[string]any{v.key: items}
	case []any:
		items := make([]any, len(v))
		for i, x := range v {
			items[i] = render(x, bare, str)
		}
		return items
	case int:
		if str {
			return strconv.Itoa(v)
		}
	case int64:
		if str {
			return strconv.FormatInt(v, 10)
		}
	case float64:
		if str {
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
	case bool:
		if str {
			return strconv.FormatBool(v)
		}
	}
	return v
}
