package sandbox

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
)

// FuzzSync sends signed calls with arbitrary parameter values to every method: whatever comes in, the
// gateway answers HTTP 200 with a JSON envelope, never a 500 or a panic.
func FuzzSync(f *testing.F) {
	unlimited := map[string]int{}
	for k := range publishedQPS {
		unlimited[k] = -1
	}
	sb := New(Options{Now: func() time.Time { return testEpoch }, QPS: unlimited, DefaultQPS: -1})
	token, _ := sb.IssueToken(DefaultUserNick)
	methods := sb.Methods()
	f.Add(uint8(0), "product_id", "1005001234567890", "ship_to_country", "US")
	f.Add(uint8(5), "page_size", "-1", "page_no", "99999999999999999999")
	f.Add(uint8(9), "param_place_order_request4_open_api_d_t_o", `{"product_items":[{"product_id":"x"}]}`, "ds_extend_request", `{"payment":1}`)
	f.Add(uint8(11), "queryDeliveryReq", `{"quantity":"1e9"}`, "search_id", "..")
	f.Add(uint8(20), "single_order_query", `{"order_id":[]}`, "searchExtend", `[{"searchKey":null}]`)
	f.Add(uint8(3), "product_ids", ",,,", "fields", ",")
	f.Add(uint8(14), "start_time", "2026-01-01 00:00:00", "end_time", "1900-01-01 00:00:00")
	f.Fuzz(func(t *testing.T, m uint8, k1, v1, k2, v2 string) {
		method := methods[int(m)%len(methods)]
		if strings.HasPrefix(method, "/") {
			return // system APIs are fuzzed through /rest by FuzzRest
		}
		p := map[string]string{
			"app_key": DefaultAppKey, "method": method, "sign_method": "sha256",
			"timestamp": strconv.FormatInt(testEpoch.UnixMilli(), 10), "session": token,
		}
		for _, kv := range [][2]string{{k1, v1}, {k2, v2}} {
			if _, system := p[kv[0]]; !system && kv[0] != "sign" {
				p[kv[0]] = kv[1]
			}
		}
		sig, _ := aliexpress.Sign(aliexpress.SignSHA256, DefaultAppSecret, "", p)
		p["sign"] = sig
		v := url.Values{}
		for k, x := range p {
			v.Set(k, x)
		}
		r := httptest.NewRequest(http.MethodPost, "/sync", strings.NewReader(v.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		sb.ServeHTTP(w, r)
		if w.Code != http.StatusOK || !json.Valid(w.Body.Bytes()) {
			t.Fatalf("%s with %q=%q, %q=%q = %d %q; want 200 JSON", method, k1, v1, k2, v2, w.Code, truncate(w.Body.String(), 200))
		}
	})
}

// FuzzRest does the same for the token APIs and their flat envelopes.
func FuzzRest(f *testing.F) {
	sb := New(Options{Now: func() time.Time { return testEpoch }, DefaultQPS: -1})
	f.Add("/auth/token/create", "code", "3_500000_x")
	f.Add("/auth/token/refresh", "refresh_token", "")
	f.Add("/auth/token/security/create", "uuid", "\x00")
	f.Fuzz(func(t *testing.T, path, k, v string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, "?#%") || k == "sign" {
			return
		}
		p := map[string]string{"app_key": DefaultAppKey, "sign_method": "sha256", "timestamp": strconv.FormatInt(testEpoch.UnixMilli(), 10), k: v}
		sig, _ := aliexpress.Sign(aliexpress.SignSHA256, DefaultAppSecret, path, p)
		p["sign"] = sig
		q := url.Values{}
		for name, x := range p {
			q.Set(name, x)
		}
		u := &url.URL{Path: "/rest" + path, RawQuery: q.Encode()}
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		r.URL = u
		w := httptest.NewRecorder()
		sb.ServeHTTP(w, r)
		if w.Code == http.StatusOK && !json.Valid(w.Body.Bytes()) {
			t.Fatalf("POST /rest%s with %q=%q = %q; want JSON", path, k, v, truncate(w.Body.String(), 200))
		}
		if w.Code >= 500 {
			t.Fatalf("POST /rest%s with %q=%q = %d; want no server error", path, k, v, w.Code)
		}
	})
}
