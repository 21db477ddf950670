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
		{"invalid literal inside", `{"aliexpress_affiliate_product_query_response":{"a":tru}}`, "", "", ErrMalformedResponse},
		{"trailing text", `{"aliexpress_affiliate_product_query_response":{}} x`, "", "", ErrMalformedResponse},
		{"array", `[]`, "", "", ErrMalformedResponse},
		{"null", `null`, "", "", ErrMalformedResponse},
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

func TestRespResultForms(t *testing.T) {
	const m = "aliexpress.affiliate.product.query"
	tests := []struct {
		name    string
		payload string
		result  string
		kind    error
	}{
		{"ordinary", `{"resp_result":{"resp_code":200,"resp_msg":"ok","result":{"a":1}}}`, `{"a":1}`, nil},
		{"code as a string", `{"resp_result":{"resp_code":"200","result":{"a":1}},"request_id":"r"}`, `{"a":1}`, nil},
		{"no code", `{"resp_result":{"result":[]}}`, `[]`, nil},
		{"null result", `{"resp_result":{"resp_code":200,"result":null}}`, `null`, nil},
		{"no results", `{"resp_result":{"resp_code":405,"resp_msg":"No results"}}`, "", ErrNoResults},
		{"key in capitals", `{"RESP_RESULT":{"resp_code":200,"result":{"a":1}}}`, `{"a":1}`, nil},
		{"resp_result twice", `{"resp_result":{"resp_code":405},"resp_result":{"result":{"a":1}}}`, "", ErrNoResults},
		{"code not a scalar", `{"resp_result":{"resp_code":{},"result":1}}`, "", ErrMalformedResponse},
		{"resp_result null", `{"resp_result":null}`, "", ErrMalformedResponse},
		{"no resp_result", `{"result":{"a":1}}`, "", ErrMalformedResponse},
		{"not an object", `[]`, "", ErrMalformedResponse},
	}
	for _, tt := range tests {
		raw, err := respResult(m, "r", []byte(tt.payload))
		if tt.kind != nil {
			if !errors.Is(err, tt.kind) {
				t.Errorf("%s: respResult(%s) error = %v; want %v", tt.name, tt.payload, err, tt.kind)
			}
			continue
		}
		if err != nil || string(raw) != tt.result {
			t.Errorf("%s: respResult(%s) = %s, %v; want %s", tt.name, tt.payload, raw, err, tt.result)
		}
	}
}

func TestDSResultForms(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		result  string
		code    string // the platform's code of the error; "" for none
	}{
		{"rsp_code family", `{"result":{"a":1},"rsp_code":200,"rsp_msg":"ok"}`, `{"a":1}`, ""},
		{"no rsp_code", `{"result":{"a":1}}`, `{"a":1}`, ""},
		{"rsp_code 0", `{"result":{"a":1},"rsp_code":"0"}`, `{"a":1}`, ""},
		{"rsp_code error", `{"rsp_code":602,"rsp_msg":"bad"}`, "", "602"},
		{"resp_result family", `{"resp_result":{"resp_code":200,"result":{"a":1}}}`, `{"a":1}`, ""},
		{"result in capitals", `{"RESULT":{"a":1},"rsp_code":200}`, `{"a":1}`, ""},
		{"rsp_code twice", `{"result":{"a":1},"rsp_code":200,"rsp_code":605}`, "", "605"},
		{"null", `null`, "", ""},
	}
	for _, tt := range tests {
		raw, err := dsResult(dsMethodProduct, "r", []byte(tt.payload))
		var e *Error
		if tt.code != "" {
			if !errors.As(err, &e) || e.Code != tt.code {
				t.Errorf("%s: dsResult(%s) error = %v; want code %s", tt.name, tt.payload, err, tt.code)
			}
			continue
		}
		if err != nil || string(raw) != tt.result {
			t.Errorf("%s: dsResult(%s) = %s, %v; want %s", tt.name, tt.payload, raw, err, tt.result)
		}
	}
}
