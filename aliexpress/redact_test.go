package aliexpress_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/aliscout/aliscout/aliexpress"
)

// Credentials with characters that percent-encoding changes, so that every form differs.
const (
	echoSecret  = "Secr3t+Key/With=Specials&1"
	echoToken   = "50000TESTTOKEN+abc/DEF=ghi_jkl"
	echoRefresh = "50001REFRESH+xyz/UVW=rst_opq"
	echoCode    = "3_500777_CODE+pqr/STU=vwx_mno"
)

// echoForms are the ways a gateway has been seen to give a credential back: as sent, in another
// case, percent-encoded (once or twice, with either hex case), or in part.
func echoForms(c string) []string {
	q := url.QueryEscape(c)
	return []string{c, strings.ToLower(c), strings.ToUpper(c), q, strings.ToLower(q), url.PathEscape(c),
		url.QueryEscape(q), c[:len(c)/2], c[len(c)/2:], c[3:13]}
}

// echoAll writes every form of every credential the request carried, and of the app secret.
func echoAll(r *http.Request) string {
	var parts []string
	for _, c := range []string{echoSecret, r.Form.Get("session"), r.Form.Get("refresh_token"), r.Form.Get("code"), r.Form.Get("sign")} {
		if c == "" {
			continue
		}
		for _, f := range echoForms(c) {
			parts = append(parts, "ECHO<"+f+">")
		}
	}
	return strings.Join(parts, " ")
}

// TestRedactsEveryFormOfEveryCredential: a hostile gateway echoes the app secret, the access
// token, the refresh token, the authorization code and the signature, in every form, in every
// place an answer can carry text. None of it may reach an error, a warning or a log line.
func TestRedactsEveryFormOfEveryCredential(t *testing.T) {
	var signatures []string
	answers := map[string]func(r *http.Request) any{
		"error_response": func(r *http.Request) any {
			return map[string]any{"error_response": map[string]string{"type": "ISV", "code": "InvalidParameter",
				"sub_code": strings.ToLower(r.Form.Get("session")), "msg": echoAll(r), "request_id": url.QueryEscape(echoSecret)}}
		},
		"rsp_code": func(r *http.Request) any {
			return map[string]any{"aliexpress_ds_product_get_response": map[string]any{"rsp_code": "InvalidParameter", "rsp_msg": echoAll(r)}}
		},
		"is_success in the result": func(r *http.Request) any {
			return map[string]any{"aliexpress_ds_product_get_response": map[string]any{"result": map[string]any{
				"is_success": false, "error_code": url.QueryEscape(r.Form.Get("sign")), "error_msg": echoAll(r)}}}
		},
		"warnings and a required field": func(r *http.Request) any {
			return map[string]any{"aliexpress_ds_product_get_response": map[string]any{"result": map[string]any{
				"ae_item_base_info_dto": map[string]any{"product_id": 1, "subject": "x", "currency_code": echoAll(r)[:60]},
				"ae_item_sku_info_dtos": []any{
					map[string]any{"sku_id": "1", "sku_price": "1.00", "offer_sale_price": "1.00", "tax_amount": r.Form.Get("session"),
						"estimated_import_charges": strings.ToLower(url.QueryEscape(r.Form.Get("sign"))), "sku_bulk_order": echoSecret},
					map[string]any{"sku_id": "2", "sku_price": "1.00", "offer_sale_price": echoAll(r)},
				}}}}
		},
		"rest": func(r *http.Request) any {
			return map[string]any{"type": "ISV", "code": "InvalidCode", "message": echoAll(r), "request_id": "r-1"}
		},
	}
	var current string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		signatures = append(signatures, r.Form.Get("sign"))
		a := answers[current]
		if strings.HasPrefix(r.URL.Path, "/rest/") && current != "error_response" {
			a = answers["rest"]
		}
		json.NewEncoder(w).Encode(a(r))
	}))
	defer srv.Close()
	var logs bytes.Buffer
	c, err := aliexpress.NewClient(dsKey, echoSecret, aliexpress.WithGateway(srv.URL), aliexpress.WithAccessToken(echoToken),
		aliexpress.WithRetryPolicy(aliexpress.RetryPolicy{MaxAttempts: 1}),
		aliexpress.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	calls := map[string]func() (*aliexpress.Response, error){
		"DS.Product": func() (*aliexpress.Response, error) {
			return ignore(c.DS.Product(ctx, 1, &aliexpress.DSProductOptions{ShipTo: "US"}))
		},
		"OAuth.CreateToken":  func() (*aliexpress.Response, error) { return ignore(c.OAuth.CreateToken(ctx, echoCode)) },
		"OAuth.RefreshToken": func() (*aliexpress.Response, error) { return ignore(c.OAuth.RefreshToken(ctx, echoRefresh)) },
	}
	for _, answer := range []string{"error_response", "rsp_code", "is_success in the result", "warnings and a required field"} {
		for name, call := range calls {
			current, signatures, logs = answer, nil, bytes.Buffer{}
			resp, err := call()
			var e *aliexpress.Error
			if !errors.As(err, &e) {
				t.Fatalf("%s answered with %s: error = %v; want an *Error", name, answer, err)
			}
			outs := []string{err.Error(), e.Message, e.Code, e.SubCode, e.Type, e.RequestID, e.Field, logs.String(), fmt.Sprintf("%+v", e)}
			for _, w := range resp.Warnings {
				outs = append(outs, w.String())
			}
			if !strings.Contains(err.Error(), "[redacted]") {
				t.Errorf("%s answered with %s: error %q; want the echoed credentials replaced by [redacted]", name, answer, err)
			}
			credentials := append([]string{echoSecret, echoToken, echoRefresh, echoCode}, signatures...)
			for _, out := range outs {
				if leak := leakedPiece(out, credentials); leak != "" {
					t.Errorf("%s answered with %s: %q leaks %q", name, answer, out, leak)
				}
			}
		}
	}
}

// leakedPiece returns a piece of 8 characters of any form of any credential found in out,
// regardless of case; "" when there is none.
func leakedPiece(out string, credentials []string) string {
	low := strings.ToLower(out)
	for _, c := range credentials {
		for _, f := range echoForms(c) {
			f = strings.ToLower(f)
			for i := 0; i+8 <= len(f); i++ {
				if strings.Contains(low, f[i:i+8]) {
					return f[i : i+8]
				}
			}
		}
	}
	return ""
}
