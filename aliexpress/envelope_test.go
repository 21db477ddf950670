package aliexpress

import (
	"errors"
	"testing"
)

// The envelope decoders read the ordinary answer without encoding/json's help and hand everything
// else to it; these bodies take both ways.

func TestDecodeSyncForms(t *testing.T) {
	const m = "aliexpress.affiliate.product.query"
	tests := []struct {
		name    string
		body    string
		payload string
		rid     string
		kind    error
	}{
		{"ordinary", `{"aliexpress_affiliate_product_query_response":{"resp_result":{},"request_id":"r1"}}`,
			`{"resp_result":{},"request_id":"r1"}`, "r1", nil},
		{"spaces", " {\n \"aliexpress_affiliate_product_query_response\" : {\"a\":\"}\"} \n} ", `{"a":"}"}`, "", nil},
		{"request_id at the top", `{"request_id":"r2","aliexpress_affiliate_product_query_response":{"a":1}}`, `{"a":1}`, "r2", nil},
		{"request_id in both", `{"aliexpress_affiliate_product_query_response":{"request_id":"in"},"request_id":"top"}`,
			`{"request_id":"in"}`, "in", nil},
		{"request_id as a number", `{"aliexpress_affiliate_product_query_response":{"request_id":12}}`, `{"request_id":12}`, "12", nil},
		{"request_id in capitals", `{"aliexpress_affiliate_product_query_response":{"REQUEST_ID":"r3"}}`, `{"REQUEST_ID":"r3"}`, "r3", nil},
		{"payload not an object", `{"aliexpress_affiliate_product_query_response":[1],"request_id":"r4"}`, `[1]`, "r4", nil},
		{"answer key twice", `{"aliexpress_affiliate_product_query_response":{"a":1},"aliexpress_affiliate_product_query_response":{"a":2}}`,
			`{"a":2}`, "", nil},
		{"escaped answer key", `{"aliexpress_affiliate_product_query_respons\u0065":{"a":1}}`, `{"a":1}`, "", nil},
		{"legacy root", `{"aliexpress_other_response":{"a":1}}`, `{"a":1}`, "", nil},
		{"error_response after the answer", `{"aliexpress_affiliate_product_query_response":{},"error_response":{"code":"IllegalAccessToken"}}`,
			"", "", ErrInvalidToken},
		{"invalid literal inside", `{"aliexpress_affiliate_product_query_response":{"a":tru}}`, "", "", ErrUnreadableResponse},
		{"trailing text", `{"aliexpress_affiliate_product_query_response":{}} x`, "", "", ErrUnreadableResponse},
		{"array", `[]`, "", "", ErrUnreadableResponse},
		{"null", `null`, "", "", ErrUnreadableResponse},
		{"html", `<html>502</html>`, "", "", ErrUnreadableResponse},
		{"no answer key", `{"other":{}}`, "", "", ErrUnreadableResponse},
	}
	for _, tt := range tests {
		payload, rid, err := decodeSync(m, []byte(tt.body))
		if tt.kind != nil {
			if !errors.Is(err, tt.kind) {
				t.Errorf("%s: decodeSync(%s) error = %v; want %v", tt.name, tt.body, err, tt.kind)
			}
			continue
		}
		if err != nil || string(payload) != tt.payload || rid != tt.rid {
			t.Errorf("%s: decodeSync(%s) = %s, %q, %v; want %s, %q", tt.name, tt.body, payload, rid, err, tt.payload, tt.rid)
		}
	}
}

// TestResultForms checks how a payload's status is read and its result found, in both families:
// resp_result{resp_code, result} (affiliate) and result with rsp_code siblings (DS).
func TestResultForms(t *testing.T) {
	const m = "aliexpress.affiliate.product.query"
	tests := []struct {
		name    string
		payload string
		result  string
		kind    error
		code    string // the platform's code of the error, when there is one
	}{
		{"ordinary", `{"resp_result":{"resp_code":200,"resp_msg":"ok","result":{"a":1}}}`, `{"a":1}`, nil, ""},
		{"code as a string", `{"resp_result":{"resp_code":"200","result":{"a":1}},"request_id":"r"}`, `{"a":1}`, nil, ""},
		{"no code", `{"resp_result":{"result":[]}}`, `[]`, nil, ""},
		{"null result", `{"resp_result":{"resp_code":200,"result":null}}`, `null`, nil, ""},
		{"no results", `{"resp_result":{"resp_code":405,"resp_msg":"No results"}}`, "", ErrNoResults, "405"},
		{"key in capitals", `{"RESP_RESULT":{"resp_code":200,"result":{"a":1}}}`, `{"a":1}`, nil, ""},
		{"key in capitals with a failure", `{"RESP_RESULT":{"resp_code":401,"result":{"a":1}}}`, "", ErrPublisherNotRegistered, "401"},
		{"resp_result twice: the last counts", `{"resp_result":{"resp_code":405},"resp_result":{"resp_code":404}}`, "", ErrUnavailable, "404"},
		{"code not a scalar", `{"resp_result":{"resp_code":{},"result":1}}`, "", ErrRequiredField, ""},
		{"resp_result null", `{"resp_result":null}`, `{"resp_result":null}`, nil, ""},
		{"rsp_code family", `{"result":{"a":1},"rsp_code":200,"rsp_msg":"ok"}`, `{"a":1}`, nil, ""},
		{"no rsp_code", `{"result":{"a":1}}`, `{"a":1}`, nil, ""},
		{"rsp_code 0", `{"result":{"a":1},"rsp_code":"0"}`, `{"a":1}`, nil, ""},
		{"rsp_code error", `{"rsp_code":602,"rsp_msg":"bad"}`, "", ErrNotAllowedToCountry, "602"},
		{"rsp_code error as a string", `{"rsp_code":"500","rsp_msg":"System error"}`, "", ErrUnavailable, "500"},
		{"result in capitals", `{"RESULT":{"a":1},"rsp_code":200}`, `{"a":1}`, nil, ""},
		{"rsp_code twice", `{"result":{"a":1},"rsp_code":200,"rsp_code":605}`, "", ErrItemNotFound, "605"},
		{"ret true with a label for a code", `{"result":{"ret":true,"code":"SUCCESS","data":1}}`, `{"ret":true,"code":"SUCCESS","data":1}`, nil, ""},
		{"ret true with a failing number", `{"result":{"ret":true,"code":"1001"}}`, "", ErrTrackingNotFound, "1001"},
		{"ret false", `{"result":{"ret":false,"code":"1001","msg":"TRACKING DATA NOT FOUND"}}`, "", ErrTrackingNotFound, "1001"},
		{"ret false as text", `{"ret":"false","result":{"a":1}}`, "", ErrAPI, ""},
		{"is_success false", `{"result":{"is_success":false,"error_code":"INVENTORY_HOLD_ERROR"}}`, "", ErrOrderRejected, "INVENTORY_HOLD_ERROR"},
		{"is_success true with a message", `{"result":{"is_success":true,"order_list":[1],"error_code":"x"}}`, `{"is_success":true,"order_list":[1],"error_code":"x"}`, nil, ""},
		{"success false", `{"result":{"success":false,"code":505,"msg":"DELIVERY_NOT_AVAILABLE_TO_YOUR_ADDRESS"}}`, "", ErrDeliveryUnavailable, "505"},
		{"result_success false", `{"result_success":false,"error_desc":"no such order"}`, "", ErrAPI, ""},
		{"code in the method object", `{"code":"1001","msg":"x","data":{}}`, "", ErrTrackingNotFound, "1001"},
		{"code 0 in the method object", `{"code":"0","data":{"a":1}}`, `{"code":"0","data":{"a":1}}`, nil, ""},
		{"null", `null`, `null`, nil, ""},
	}
	for _, tt := range tests {
		body := `{"aliexpress_affiliate_product_query_response":` + tt.payload + `}`
		x, err := testReply(m, []byte(body))
		if tt.kind != nil {
			var e *Error
			if !errors.Is(err, tt.kind) || !errors.As(err, &e) || e.Code != tt.code {
				t.Errorf("%s: decoding %s: error = %v; want %v with code %q", tt.name, tt.payload, err, tt.kind, tt.code)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: decoding %s: error = %v", tt.name, tt.payload, err)
			continue
		}
		if _, raw := x.result(); string(raw) != tt.result {
			t.Errorf("%s: result of %s = %s; want %s", tt.name, tt.payload, raw, tt.result)
		}
	}
}
