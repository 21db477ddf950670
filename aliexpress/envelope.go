package aliexpress

import (
	"bytes"
	"encoding/json"
	"fmt"
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
// object under <method>_response and its request_id.
func decodeSync(method string, body []byte) (json.RawMessage, string, error) {
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
	var rid struct {
		RequestID flexString `json:"request_id"`
	}
	_ = json.Unmarshal(raw, &rid) // the payload may not be an object; request_id is optional
	if rid.RequestID == "" {
		if r, ok := top["request_id"]; ok {
			var s flexString
			_ = json.Unmarshal(r, &s)
			rid.RequestID = s
		}
	}
	return raw, string(rid.RequestID), nil
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
// Any resp_code other than 200 is an error.
func respResult(method, requestID string, payload json.RawMessage) (json.RawMessage, error) {
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
	if code := string(p.RespResult.RespCode); code != "200" && code != "" {
		e := (errorBody{Code: p.RespResult.RespCode, Msg: p.RespResult.RespMsg, RequestID: flexString(requestID)}).toError(method)
		return nil, e
	}
	return p.RespResult.Result, nil
}

// rspResult unwraps the DS family: {"result": ..., "rsp_code": 200, "rsp_msg": "..."}. A missing
// rsp_code is success; any other than 200 (or 0) is an error.
func rspResult(method, requestID string, payload json.RawMessage) (json.RawMessage, error) {
	var p struct {
		Result  json.RawMessage `json:"result"`
		RspCode flexString      `json:"rsp_code"`
		RspMsg  flexString      `json:"rsp_msg"`
	}
	if err := json.Unmarshal(payload, &p); err != nil {
		return nil, decodeErr(method, requestID, err)
	}
	if code := string(p.RspCode); code != "" && code != "200" && code != "0" {
		return nil, (errorBody{Code: p.RspCode, Msg: p.RspMsg, RequestID: flexString(requestID)}).toError(method)
	}
	return p.Result, nil
}

// decodeInto decodes a payload into v and reports a failure as ErrMalformedResponse.
func decodeInto(method, requestID string, raw json.RawMessage, v any) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		return &Error{Method: method, Kind: ErrMalformedResponse, Message: "empty result", RequestID: requestID}
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
