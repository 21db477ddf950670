package aliexpress

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// The platform answers in several envelope families (reference sections 4.1, 4.2 and 4.5). The
// functions here take the body apart, check every success-or-failure marker any family carries,
// and report failures as *Error; the method files then decode the result with a reply.

// errorBody is an error envelope: error_response on /sync, flat on /rest.
type errorBody struct {
	Type      flexString `json:"type"`
	Code      flexString `json:"code"`
	Msg       flexText   `json:"msg"`
	Message   flexText   `json:"message"`
	SubCode   flexString `json:"sub_code"`
	SubMsg    flexText   `json:"sub_msg"`
	RequestID flexString `json:"request_id"`
}

func (b errorBody) toError(method string) *Error {
	msg := b.Msg.s
	if msg == "" {
		msg = b.Message.s
	}
	if b.SubMsg.s != "" {
		if msg != "" {
			msg += ": "
		}
		msg += b.SubMsg.s
	}
	return platformError(method, b.Type.s, b.Code.s, b.SubCode.s, msg, b.RequestID.s, nil)
}

// platformError is a failure the platform reported, classified by its codes and message.
// businessKind, when not nil, is the kind of a business failure the codes do not name.
func platformError(method, typ, code, subCode, msg, requestID string, businessKind error) *Error {
	kind := classify(typ, code, subCode, msg)
	if k := classifyCode(strings.TrimSpace(msg)); kind == ErrAPI && k != nil {
		// Some results name the reason in msg alone ("DELIVERY_INFO_EMPTY").
		kind = k
	}
	if kind == ErrAPI && businessKind != nil {
		kind = businessKind
	}
	e := &Error{Method: method, Kind: kind, Type: typ, Code: code, SubCode: subCode, Message: msg, RequestID: requestID}
	if kind == ErrRateLimited {
		e.RetryAfter = banLength(msg)
	}
	return e
}

func unreadable(method string, format string, args ...any) *Error {
	return &Error{Method: method, Kind: ErrUnreadableResponse, Message: fmt.Sprintf(format, args...)}
}

// responseKey is the key of the success object on /sync: the method with dots as underscores.
func responseKey(method string) string {
	return strings.ReplaceAll(method, ".", "_") + "_response"
}

// decodeSync takes a /sync body apart: an error_response becomes an *Error, a success returns the
// object under <method>_response and its request_id. The payload is a slice of body, not a copy.
func decodeSync(method string, body []byte) (json.RawMessage, string, error) {
	if !json.Valid(body) {
		return nil, "", unreadable(method, "body is not JSON: %s", snippet(body))
	}
	// The ordinary answer: an object with <method>_response and no error_response. It is read
	// without building a map of the top level.
	var top [3][]byte
	if objectMembers(body, []string{"error_response", responseKey(method), "request_id"}, top[:]) &&
		top[0] == nil && top[1] != nil {
		return top[1], syncRequestID(top[1], top[2]), nil
	}
	return decodeSyncMap(method, body)
}

// decodeSyncMap is decodeSync for every other body: errors, a legacy root, anything unusual.
func decodeSyncMap(method string, body []byte) (json.RawMessage, string, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		return nil, "", &Error{Method: method, Kind: ErrUnreadableResponse, Message: "body is not a JSON object: " + snippet(body), Err: err}
	}
	if raw, ok := top["error_response"]; ok {
		var eb errorBody
		if err := json.Unmarshal(raw, &eb); err != nil {
			return nil, "", unreadable(method, "unreadable error_response: %s", snippet(raw))
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
		return nil, "", unreadable(method, "no %s in the answer: %s", responseKey(method), snippet(body))
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
	if rid.s == "" && topID != nil {
		_ = rid.UnmarshalJSON(topID)
	}
	return rid.s
}

// decodeRest takes a /rest body apart: flat {"code":"0",...} on success, flat or wrapped errors.
func decodeRest(method string, body []byte) (json.RawMessage, string, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		return nil, "", &Error{Method: method, Kind: ErrUnreadableResponse, Message: "body is not a JSON object: " + snippet(body), Err: err}
	}
	if raw, ok := top["error_response"]; ok {
		var eb errorBody
		if err := json.Unmarshal(raw, &eb); err != nil {
			return nil, "", unreadable(method, "unreadable error_response: %s", snippet(raw))
		}
		return nil, "", eb.toError(method)
	}
	var eb errorBody
	_ = json.Unmarshal(body, &eb) // every field of errorBody is tolerant
	if code, has := top["code"]; has && !isZeroCode(code) {
		return nil, "", eb.toError(method)
	}
	if _, has := top["code"]; !has && eb.Type.s != "" && (eb.Message.s != "" || eb.Msg.s != "") {
		return nil, "", eb.toError(method)
	}
	return body, eb.RequestID.s, nil
}

func isZeroCode(raw json.RawMessage) bool {
	var c flexString
	_ = c.UnmarshalJSON(raw)
	return c.bad == "" && (c.s == "0" || c.s == "")
}

// statusMarkers are the success-or-failure markers one object of an answer may carry, in any
// family: rsp_code (DS), resp_code (affiliate resp_result), code (text.search, freight, tracking,
// /rest), result_code, and the booleans ret, success, is_success and result_success.
type statusMarkers struct {
	typ              string
	codes            [4]flexString // rsp_code, resp_code, code, result_code
	errorCode        string
	subCode          string
	msg              string
	flags            [4]flexBool // ret, success, is_success, result_success
	result, respData []byte      // the "result" and "resp_result" members, for the next level
}

// readStatus reads the markers of the JSON object obj; ok is false when obj is not an object.
func readStatus(obj []byte) (s statusMarkers, ok bool) {
	names := [...]string{"rsp_code", "resp_code", "code", "result_code",
		"ret", "success", "is_success", "result_success",
		"type", "error_code", "sub_code",
		"rsp_msg", "resp_msg", "msg", "message", "error_msg", "err_message", "result_msg", "sub_msg", "error_desc",
		"result", "resp_result"}
	var vals [len(names)][]byte
	if !objectMembers(obj, names[:], vals[:]) {
		var m map[string]json.RawMessage
		if json.Unmarshal(obj, &m) != nil || m == nil {
			return s, false
		}
		// As encoding/json matches struct fields: the exact name, else any other case.
		for i, n := range names {
			if v, has := m[n]; has {
				vals[i] = v
				continue
			}
			for k, v := range m {
				if strings.EqualFold(k, n) {
					vals[i] = v
				}
			}
		}
	}
	for i := range s.codes {
		_ = s.codes[i].UnmarshalJSON(vals[i])
	}
	for i := range s.flags {
		_ = s.flags[i].UnmarshalJSON(vals[4+i])
	}
	var t flexString
	_ = t.UnmarshalJSON(vals[8])
	s.typ = t.s
	_ = t.UnmarshalJSON(vals[9])
	s.errorCode = t.s
	_ = t.UnmarshalJSON(vals[10])
	s.subCode = t.s
	for _, v := range vals[11:20] {
		var m flexText
		if _ = m.UnmarshalJSON(v); strings.TrimSpace(m.s) != "" {
			s.msg = m.s
			break
		}
	}
	s.result, s.respData = vals[20], vals[21]
	return s, true
}

// failure reports whether the markers say the call failed, and the code to report. Any false
// boolean fails it (byFlag), and so does any code but "", "0", "00" (seen live from ds.text.search), "200" or a word of success; but
// where a boolean says true, a code that is not a number (a label, not a status) does not. A
// marker that cannot be read fails it too: unreadable names it.
func (s *statusMarkers) failure() (code string, failed, byFlag bool, unreadable string) {
	anyTrue, anyFalse := false, false
	flagNames := [...]string{"ret", "success", "is_success", "result_success"}
	for i, f := range s.flags {
		switch {
		case f.bad != "":
			return "", true, false, flagNames[i]
		case f.set && f.v:
			anyTrue = true
		case f.set:
			anyFalse = true
		}
	}
	for i, c := range s.codes {
		v := c.s
		switch {
		case c.bad != "" && !anyTrue:
			return "", true, false, [...]string{"rsp_code", "resp_code", "code", "result_code"}[i]
		case v == "", v == "0", v == "00", v == "200", isSuccessWord(v):
			continue
		case anyTrue && !allDigits(strings.TrimPrefix(v, "-")):
			continue
		}
		return v, true, false, ""
	}
	if anyFalse {
		code = s.errorCode
		if code == "" {
			code = s.subCode
		}
		return code, true, true, ""
	}
	return "", false, false, ""
}

func isSuccessWord(s string) bool {
	switch strings.ToLower(s) {
	case "ok", "success", "succeed", "succeeded", "true":
		return true
	}
	return false
}

// checkStatus reads the markers of a payload at every level an envelope family puts them: the
// payload itself (rsp_code, code, ret, result_success), its resp_result (resp_code) and the result
// object under either (is_success, success, ret, code). The first failure becomes an *Error;
// businessKind is its kind when a boolean says false and the codes name no other kind.
//
// On success it also returns where the result is, as reply.result describes it, found on the way.
func checkStatus(method, requestID string, payload []byte, businessKind error) (resultPath string, result []byte, e *Error) {
	type level struct {
		path string
		obj  []byte
	}
	resultPath, result = "", payload
	levels := []level{{"", payload}}
	for i := 0; i < len(levels); i++ {
		lv := levels[i]
		s, ok := readStatus(lv.obj)
		if !ok {
			continue
		}
		code, failed, byFlag, bad := s.failure()
		switch {
		case bad != "":
			return "", nil, &Error{Method: method, Kind: ErrRequiredField, Field: joinPath(lv.path, bad), RequestID: requestID,
				Message: joinPath(lv.path, bad) + ": the status marker cannot be read"}
		case failed:
			var kind error
			if byFlag {
				kind = businessKind
			}
			e := platformError(method, s.typ, code, s.subCode, s.msg, requestID, kind)
			if e.Code == "" && e.Message == "" {
				e.Message = "the platform reported a failure without a reason"
			}
			return "", nil, e
		}
		// The next levels: resp_result under the payload, and the result under either.
		switch lv.path {
		case "":
			if isObject(s.respData) {
				levels = append(levels, level{"resp_result", s.respData})
				resultPath, result = "resp_result.result", nil
			} else if s.result != nil {
				resultPath, result = "result", s.result
			}
		case "resp_result":
			result = s.result
		}
		if lv.path != "result" && lv.path != "resp_result.result" && isObject(s.result) {
			levels = append(levels, level{joinPath(lv.path, "result"), s.result})
		}
	}
	return resultPath, result, nil
}

// isObject reports whether b holds a JSON object.
func isObject(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && b[0] == '{'
}

// Warning is an optional field of an answer that could not be read. The call succeeded without
// it: the field is empty in the result, or the list element is left out.
type Warning struct {
	// Field is the JSON path of the value inside the method's response object, list wrappers left
	// out, e.g. "result.ae_item_sku_info_dtos[0].wholesale_price_tiers[1].wholesale_price".
	Field string
	// Problem says what was wrong, e.g. `"12,5.0" is not a price`. It quotes the platform's text,
	// with every credential of the call redacted.
	Problem string
}

// String formats the warning as "field: problem".
func (w Warning) String() string { return w.Field + ": " + w.Problem }

// reply is a call's answer on its way to the caller: it decodes parts of the payload into wire
// structs, adds the problems of optional fields to the Response as warnings, and fails on
// required ones. Every text from the platform it passes on is redacted first.
type reply struct {
	c       *Client
	resp    *Response
	payload json.RawMessage
	hidden  []string  // this call's credentials besides the client's: signatures, code, refresh token
	red     *redactor // made on first use

	resultPath string // where the payload's result is (see result)
	resultRaw  json.RawMessage
}

// redactor returns the redactor of the call's credentials.
func (x *reply) redactor() *redactor {
	if x.red == nil {
		x.red = x.c.redactor(x.hidden...)
	}
	return x.red
}

// platform is an error the platform reported in the result, redacted.
func (x *reply) platform(e *Error) *Error {
	x.redactor().redactError(e)
	return e
}

// method is the API method of the call.
func (x *reply) method() string { return x.resp.Method }

// warn records a problem of an optional field.
func (x *reply) warn(path, problem string) {
	r := x.redactor()
	x.resp.Warnings = append(x.resp.Warnings, Warning{Field: r.redact(path), Problem: r.redact(problem)})
}

// required is the error of a required field that is missing or cannot be read.
func (x *reply) required(path, problem string) *Error {
	return x.platform(&Error{Method: x.method(), Kind: ErrRequiredField, Field: path, RequestID: x.resp.RequestID,
		Message: path + ": " + problem})
}

// need fails when a required value could not be read: bad is its problem, path finds its JSON
// path (only then, so that the many values that read cost no path).
func (x *reply) need(bad string, path func() string) error {
	if bad != "" {
		return x.required(path(), bad)
	}
	return nil
}

// decode decodes the part raw of the payload, found at path, into v (a pointer to a wire type)
// and records the problems of its fields as warnings. A part that is missing, or not what v is
// read from, is an ErrRequiredField.
func (x *reply) decode(path string, raw []byte, v any) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return x.required(path, "missing")
	}
	if err := decodeValue(raw, v); err != nil {
		return x.required(path, "want an object, got "+describeJSON(raw))
	}
	walkProblems(reflect.ValueOf(v).Elem(), path, x.warn)
	return nil
}

// result returns the result of the payload and its path: resp_result.result (affiliate family),
// result (DS family), or the payload itself when it has neither. The client found it while it
// checked the payload's status.
func (x *reply) result() (string, json.RawMessage) {
	return x.resultPath, x.resultRaw
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
