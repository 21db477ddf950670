package aliexpress

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// The platform answers in several envelope families (reference sections 4.1, 4.2 and 4.5). The
// functions here take the body apart and report failures as *Error; the method files pick the
// family their method belongs to.

// errorBody is an error envelope: error_response on /sync, flat on /rest.
type errorBody struct {
	Type      flexString `json:"type"`
	Code      flexString `json:"code"`
	Msg       flexString `json:"msg"`
	Message   flexString `json:"message"`
	SubCode   flexString `json:"sub_code"`
	SubMsg    flexString `json:"sub_msg"`
	RequestID flexString `json:"request_id"`
}

func (b errorBody) toError(method string) *Error {
	msg := string(b.Msg)
	if msg == "" {
		msg = string(b.Message)
	}
	if b.SubMsg != "" {
		if msg != "" {
			msg += ": "
		}
		msg += string(b.SubMsg)
	}
	kind := classify(string(b.Type), string(b.Code), string(b.SubCode), msg)
	e := &Error{Method: method, Kind: kind, Type: string(b.Type), Code: string(b.Code), SubCode: string(b.SubCode),
		Message: msg, RequestID: string(b.RequestID)}
	if kind == ErrRateLimited {
		e.RetryAfter = banLength(msg)
	}
	return e
}

func malformed(method string, format string, args ...any) *Error {
	return &Error{Method: method, Kind: ErrMalformedResponse, Message: fmt.Sprintf(format, args...)}
}

// responseKey is the key of the success object on /sync: the method with dots as underscores.
func responseKey(method string) string {
	return strings.ReplaceAll(method, ".", "_") + "_response"
}

// decodeSync takes a /sync body apart: an error_response becomes an *Error, a success returns the
// object under <method>_response and its request_id. The payload is a slice of body, not a copy.
func decodeSync(method string, body []byte) (json.RawMessage, string, error) {
	// The ordinary answer: a valid object with <method>_response and no error_response. It is read
	// without building a map of the top level.
	var top [3][]byte
	if json.Valid(body) && objectMembers(body, []string{"error_response", responseKey(method), "request_id"}, top[:]) &&
		top[0] == nil && top[1] != nil {
		return top[1], syncRequestID(top[1], top[2]), nil
	}
	return decodeSyncMap(method, body)
}

// decodeSyncMap is decodeSync for every other body: errors, a legacy root, anything unusual.
func decodeSyncMap(method string, body []byte) (json.RawMessage, string, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, "", &Error{Method: method, Kind: ErrMalformedResponse, Message: "body is not a JSON object: " + snippet(body), Err: err}
	}
	if raw, ok := top["error_response"]; ok {
		var eb errorBody
		if err := json.Unmarshal(raw, &eb); err != nil {
			return nil, "", malformed(method, "unreadable error_response: %s", snippet(raw))
		}
		return nil, "", eb.toError(method)
	}
	raw, ok := top[responseKey(method)]
	if !ok {
		// Some methods answer under a legacy root (aliexpress.ds.trade.order.get for
		// aliexpress.trade.ds.order.get): take the only *_response key there is.
		var found []string
		for k := range top {
			if strings.HasSuffix(k, "_response") {
				found = append(found, k)
			}
		}
		if len(found) == 1 {
			raw, ok = top[found[0]], true
		}
	}
	if !ok {
		// A flat IOP error on /sync.
		if code, has := top["code"]; has && !isZeroCode(code) {
			var eb errorBody
			if err := json.Unmarshal(body, &eb); err == nil {
				return nil, "", eb.toError(method)
			}
		}
		return nil, "", malformed(method, "no %s in the answer: %s", responseKey(method), snippet(body))
	}
	return raw, syncRequestID(raw, top["request_id"]), nil
}

// syncRequestID returns the request_id of a /sync answer: the payload's own, else the one at the
// top level (topID, nil when there is none).
func syncRequestID(payload, topID json.RawMessage) string {
	var rid flexString
	var v [1][]byte
	if objectMembers(payload, []string{"request_id"}, v[:]) {
		_ = rid.UnmarshalJSON(v[0]) // request_id is optional; one that is not text is ignored
	} else {
		var p struct {
			RequestID flexString `json:"request_id"`
		}
		_ = json.Unmarshal(payload, &p) // the payload may not be an object
		rid = p.RequestID
	}
	if rid == "" && topID != nil {
		_ = json.Unmarshal(topID, &rid)
	}
	return string(rid)
}

// decodeRest takes a /rest body apart: flat {"code":"0",...} on success, flat or wrapped errors.
func decodeRest(method string, body []byte) (json.RawMessage, string, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, "", &Error{Method: method, Kind: ErrMalformedResponse, Message: "body is not a JSON object: " + snippet(body), Err: err}
	}
	if raw, ok := top["error_response"]; ok {
		var eb errorBody
		if err := json.Unmarshal(raw, &eb); err != nil {
			return nil, "", malformed(method, "unreadable error_response: %s", snippet(raw))
		}
		return nil, "", eb.toError(method)
	}
	var eb errorBody
	if err := json.Unmarshal(body, &eb); err != nil {
		return nil, "", malformed(method, "unreadable answer: %s", snippet(body))
	}
	if code, has := top["code"]; has && !isZeroCode(code) {
		return nil, "", eb.toError(method)
	}
	if _, has := top["code"]; !has && eb.Type != "" && (eb.Message != "" || eb.Msg != "") {
		return nil, "", eb.toError(method)
	}
	return body, string(eb.RequestID), nil
}

func isZeroCode(raw json.RawMessage) bool {
	s, _, err := scalarText(raw)
	return err == nil && (s == "0" || s == "")
}

// respResult unwraps the affiliate family: {"resp_result": {"resp_code": 200, "resp_msg", "result"}}.
// Any resp_code other than 200 is an error. The result is a slice of payload, not a copy.
func respResult(method, requestID string, payload json.RawMessage) (json.RawMessage, error) {
	var code, msg flexString
	var result json.RawMessage
	var outer [1][]byte
	var inner [3][]byte
	if objectMembers(payload, []string{"resp_result"}, outer[:]) && outer[0] != nil &&
		objectMembers(outer[0], []string{"resp_code", "resp_msg", "result"}, inner[:]) &&
		code.UnmarshalJSON(inner[0]) == nil && msg.UnmarshalJSON(inner[1]) == nil {
		result = inner[2]
	} else {
		// Anything else, a missing resp_result included, is left to encoding/json.
		var p struct {
			RespResult *struct {
				RespCode flexString      `json:"resp_code"`
				RespMsg  flexString      `json:"resp_msg"`
				Result   json.RawMessage `json:"result"`
			} `json:"resp_result"`
		}
		if err := json.Unmarshal(payload, &p); err != nil {
			return nil, decodeErr(method, requestID, err)
		}
		if p.RespResult == nil {
			return nil, &Error{Method: method, Kind: ErrMalformedResponse, Message: "no resp_result in the answer", RequestID: requestID}
		}
		code, msg, result = p.RespResult.RespCode, p.RespResult.RespMsg, p.RespResult.Result
	}
	if code != "200" && code != "" {
		return nil, (errorBody{Code: code, Msg: msg, RequestID: flexString(requestID)}).toError(method)
	}
	return result, nil
}

// rspResult unwraps the DS family: {"result": ..., "rsp_code": 200, "rsp_msg": "..."}. A missing
// rsp_code is success; any other than 200 (or 0) is an error. The result is a slice of payload.
func rspResult(method, requestID string, payload json.RawMessage) (json.RawMessage, error) {
	var result json.RawMessage
	var code, msg flexString
	var v [3][]byte
	if objectMembers(payload, []string{"result", "rsp_code", "rsp_msg"}, v[:]) &&
		code.UnmarshalJSON(v[1]) == nil && msg.UnmarshalJSON(v[2]) == nil {
		result = v[0]
	} else {
		// Anything unusual is left to encoding/json.
		var p struct {
			Result  json.RawMessage `json:"result"`
			RspCode flexString      `json:"rsp_code"`
			RspMsg  flexString      `json:"rsp_msg"`
		}
		if err := json.Unmarshal(payload, &p); err != nil {
			return nil, decodeErr(method, requestID, err)
		}
		result, code, msg = p.Result, p.RspCode, p.RspMsg
	}
	if code != "" && code != "200" && code != "0" {
		return nil, (errorBody{Code: code, Msg: msg, RequestID: flexString(requestID)}).toError(method)
	}
	return result, nil
}

// decodeInto decodes a payload into v and reports a failure as ErrMalformedResponse. A v that is
// a memberDecoder is decoded member by member when it can be.
func decodeInto(method, requestID string, raw json.RawMessage, v any) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		return &Error{Method: method, Kind: ErrMalformedResponse, Message: "empty result", RequestID: requestID}
	}
	if d, ok := v.(memberDecoder); ok {
		if decodeMembers(raw, d) {
			return nil
		}
		// Start again from the zero value, so that json.Unmarshal sees v as it always has.
		reflect.ValueOf(v).Elem().SetZero()
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return decodeErr(method, requestID, err)
	}
	return nil
}

func decodeErr(method, requestID string, err error) error {
	return &Error{Method: method, Kind: ErrMalformedResponse, Message: "cannot decode: " + err.Error(), RequestID: requestID, Err: err}
}

// snippet quotes the start of a body for an error message.
func snippet(b []byte) string {
	const max = 120
	s := string(bytes.TrimSpace(b))
	if len(s) > max {
		s = s[:max] + "…"
	}
	return fmt.Sprintf("%q", s)
}
