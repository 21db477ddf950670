package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// obj is a JSON object of a response under construction.
type obj = map[string]any

// wrapped is a list field. Live responses give it in the TOP convention, as an object holding one key
// named for the element type ({"product": [...]}); Options.BareLists gives the bare array instead.
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

// encode renders v as JSON the way the Options ask. HTML characters are not escaped: the platform's
// Java serializer does not, so hostile titles arrive verbatim.
func (s *Sandbox) encode(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(render(v, s.opts.BareLists, s.opts.StringScalars)); err != nil {
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
