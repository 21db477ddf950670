package sandbox

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var requestIDPattern = regexp.MustCompile(`^[0-9a-f]{8}[0-9]{17}$`)

// TestGatewayErrors checks each gateway refusal, in the platform's order, with its envelope: wrapped in
// error_response with "msg" on /sync, flat with "message" on /rest, always HTTP 200 JSON.
func TestGatewayErrors(t *testing.T) {
	const product = "aliexpress.affiliate.product.query"
	const ds = "aliexpress.ds.category.get"
	tests := []struct {
		name   string
		rest   string // "" = /sync, else the /rest API path
		method string
		edit   func(e *env, p map[string]string) // after signing unless resign
		resign bool
		want   string
	}{
		{"missing method", "", "", nil, true, "MissingParameter"},
		{"missing app_key", "", product, func(e *env, p map[string]string) { delete(p, "app_key") }, true, "MissingParameter"},
		{"missing sign", "", product, func(e *env, p map[string]string) { delete(p, "sign") }, false, "MissingParameter"},
		{"missing timestamp", "", product, func(e *env, p map[string]string) { delete(p, "timestamp") }, true, "MissingParameter"},
		{"missing sign_method", "", product, func(e *env, p map[string]string) { delete(p, "sign_method") }, false, "MissingParameter"},
		{"unknown app key", "", product, func(e *env, p map[string]string) { p["app_key"] = "123456" }, true, "InvalidAppkey"},
		{"unknown sign method", "", product, func(e *env, p map[string]string) { p["sign_method"] = "sha1" }, false, "InvalidSignMethod"},
		{"md5 on /rest", "/auth/token/create", "", func(e *env, p map[string]string) { p["sign_method"] = "md5" }, true, "InvalidSignMethod"},
		{"timestamp garbage", "", product, func(e *env, p map[string]string) { p["timestamp"] = "yesterday" }, true, "InvalidTimestamp"},
		{"timestamp in seconds", "", product, func(e *env, p map[string]string) { p["timestamp"] = strconv.FormatInt(testEpoch.Unix(), 10) }, true, "InvalidTimestamp"},
		{"timestamp too old", "", product, func(e *env, p map[string]string) {
			p["timestamp"] = strconv.FormatInt(testEpoch.Add(-7201*time.Second).UnixMilli(), 10)
		}, true, "InvalidTimestamp"},
		{"timestamp too new", "", product, func(e *env, p map[string]string) {
			p["timestamp"] = strconv.FormatInt(testEpoch.Add(7201*time.Second).UnixMilli(), 10)
		}, true, "InvalidTimestamp"},
		{"wrong signature", "", product, func(e *env, p map[string]string) { p["keywords"] = "changed after signing" }, false, "IncompleteSignature"},
		{"lowercase signature", "", product, func(e *env, p map[string]string) { p["sign"] = strings.ToLower(p["sign"]) }, false, "IncompleteSignature"},
		{"rest signed without path", "/auth/token/create", "", func(e *env, p map[string]string) {
			delete(p, "sign")
			e.sign("", p)
		}, false, "IncompleteSignature"},
		{"ds without token", "", ds, func(e *env, p map[string]string) { delete(p, "session") }, true, "MissingParameter"},
		{"ds with unknown token", "", ds, func(e *env, p map[string]string) { p["session"] = "50000600nosuchtoken" }, true, "IllegalAccessToken"},
		{"unknown method", "", "aliexpress.affiliate.no.such.api", nil, true, "InvalidMethod"},
		{"system API on /sync", "", "/auth/token/create", func(e *env, p map[string]string) { p["code"] = "x" }, true, "InvalidMethod"},
		{"unknown rest path", "/auth/no/such", "", nil, true, "InvalidApiPath"},
		{"business API on /rest", "/aliexpress.affiliate.product.query", "", nil, true, "InvalidApiPath"},
		{"token create without code", "/auth/token/create", "", nil, true, "MissingParameter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Options{})
			p := e.params(tt.method)
			if userScoped(tt.method) {
				p["session"] = e.token
			}
			if tt.edit != nil && tt.resign {
				tt.edit(e, p)
			}
			e.sign(tt.rest, p)
			if tt.edit != nil && !tt.resign {
				tt.edit(e, p)
			}
			path := "/sync"
			if tt.rest != "" {
				path = "/rest" + tt.rest
			}
			r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form(p).Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			status, ctype, body := e.serve(r)
			if status != http.StatusOK || ctype != "application/json;charset=UTF-8" {
				t.Fatalf("status, Content-Type = %d, %q; want 200, application/json;charset=UTF-8", status, ctype)
			}
			v := decode(t, body)
			env := v
			msgKey := "message"
			if tt.rest == "" {
				env, _ = v["error_response"].(map[string]any)
				msgKey = "msg"
				if len(v) != 1 {
					t.Errorf("body has %d keys; want only error_response: %s", len(v), body)
				}
			}
			if got := str(at(env, "code")); got != tt.want {
				t.Fatalf("code = %q; want %q (%s)", got, tt.want, body)
			}
			if str(at(env, "type")) != "ISV" || kind(at(env, msgKey)) != "string" {
				t.Errorf("envelope = %s; want type ISV and a %q", body, msgKey)
			}
			if id := str(at(env, "request_id")); !requestIDPattern.MatchString(id) {
				t.Errorf("request_id = %q; want 8 hex + 17 digits", id)
			}
			if calls := e.sb.Calls(); len(calls) != 1 || calls[0].Code != tt.want {
				t.Errorf("Calls() = %+v; want one call with code %s", calls, tt.want)
			}
		})
	}
}

// TestSignatureVectors replays the reference's signing vectors against a Sandbox with the same fake
// credentials and clock: each must pass the signature check.
func TestSignatureVectors(t *testing.T) {
	vecNow := time.UnixMilli(1700000000000)
	v1 := map[string]string{
		"app_key": "500123", "format": "json", "keywords": "wireless earbuds",
		"method": "aliexpress.affiliate.product.query", "page_no": "1", "page_size": "20",
		"sign_method": "sha256", "sort": "LAST_VOLUME_DESC", "target_currency": "USD",
		"target_language": "EN", "timestamp": "1700000000000", "tracking_id": "mytrack",
	}
	with := func(base map[string]string, kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	v5 := with(v1, "timestamp", "2023-11-15 06:13:20", "v", "2.0")
	tests := []struct {
		name   string
		path   string
		params map[string]string
		want   string // the code answered
	}{
		{"V1 sha256", "/sync", with(v1, "sign", "D4E38F7908E09FDFA5E0EC697E9EEDF812E9CD92CFC177FCAB92D4D02908CC0E"), "0"},
		{"V2 md5", "/sync", with(v1, "sign_method", "md5", "sign", "B706F0055761352428FF50C18149358B"), "0"},
		{"V3 token create", "/rest/auth/token/create", map[string]string{"app_key": "500123", "code": "3_500123_TESTCODE",
			"sign_method": "sha256", "timestamp": "1700000000000", "sign": "70120A28CDCA4BE548A1427F6424DA1D1794D70AD948DCF576D95D044601D287"}, "InvalidCode"},
		{"V3b token create with method", "/rest", map[string]string{"app_key": "500123", "code": "3_500123_TESTCODE",
			"method": "/auth/token/create", "sign_method": "sha256", "timestamp": "1700000000000",
			"sign": "70DB1936C384C98986939303514BC0DA259276961430FFFA66A613A2EA72B1B0"}, "InvalidCode"},
		{"V4 token refresh", "/rest/auth/token/refresh", map[string]string{"app_key": "500123", "refresh_token": "50001600TESTREFRESH",
			"sign_method": "sha256", "timestamp": "1700000000000", "sign": "425E7C1C90133F8E8AF3426F6C94378E5C65C0F6930D1FDDE90D7CC17F9FDBF7"}, "IllegalRefreshToken"},
		{"V5 hmac GMT+8", "/sync", with(v5, "sign_method", "hmac", "sign", "16B150413C13FE6A5C21F4E237DDC316"), "0"},
		{"V5 md5 GMT+8", "/sync", with(v5, "sign_method", "md5", "sign", "A70855B6A95C6D2DFB1E915181DFF31C"), "0"},
		{"V6 session", "/sync", map[string]string{"app_key": "500123", "method": "aliexpress.ds.product.get",
			"product_id": "1005001234567890", "session": "50000000TESTTOKEN", "ship_to_country": "US", "sign_method": "sha256",
			"target_currency": "USD", "target_language": "en", "timestamp": "1700000000000",
			"sign": "402D53BB9BF6DB966010D6048CC061AB68CA02BCA5CB91474D661499CB219FC2"}, "IllegalAccessToken"},
		{"V7 UTF-8", "/sync", map[string]string{"app_key": "500123", "countryCode": "US", "currency": "USD", "keyWord": "café 耳机",
			"local": "en_US", "method": "aliexpress.ds.text.search", "session": "50000000TESTTOKEN", "sign_method": "sha256",
			"timestamp": "1700000000000", "sign": "1B392AC71BEB43E23559882447757EFE202846CEFD8B5A7159156FC9EAB1AF27"}, "IllegalAccessToken"},
		{"V8 empty value skipped (Java rule)", "/sync", with(v1, "category_ids", "", "sign", "D4E38F7908E09FDFA5E0EC697E9EEDF812E9CD92CFC177FCAB92D4D02908CC0E"), "0"},
		{"V8 empty value kept", "/sync", with(v1, "category_ids", "", "sign", "B726AE094BBA3380E2C5BF2A0B7BB317D1877385B462AA0E65901CF83EBC51B1"), "IncompleteSignature"},
		{"V1 signature, other value", "/sync", with(v1, "page_no", "2", "sign", "D4E38F7908E09FDFA5E0EC697E9EEDF812E9CD92CFC177FCAB92D4D02908CC0E"), "IncompleteSignature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sb := New(Options{AppKey: "500123", AppSecret: "s3cr3tKeyForTests", Now: func() time.Time { return vecNow }})
			q := url.Values{}
			for k, v := range tt.params {
				q.Set(k, v)
			}
			r := httptest.NewRequest(http.MethodPost, tt.path+"?"+q.Encode(), nil)
			w := httptest.NewRecorder()
			sb.ServeHTTP(w, r)
			if calls := sb.Calls(); len(calls) != 1 || calls[0].Code != tt.want {
				t.Fatalf("call = %+v (%s); want code %s", calls, w.Body.String(), tt.want)
			}
		})
	}
}

// TestParamEncodings sends the same signed call the ways real clients do.
func TestParamEncodings(t *testing.T) {
	const method = "aliexpress.affiliate.category.get"
	tests := []struct {
		name  string
		build func(e *env, p map[string]string) *http.Request
	}{
		{"GET query", func(e *env, p map[string]string) *http.Request {
			return httptest.NewRequest(http.MethodGet, "/sync?"+form(p).Encode(), nil)
		}},
		{"POST query, empty body", func(e *env, p map[string]string) *http.Request {
			return httptest.NewRequest(http.MethodPost, "/sync?"+form(p).Encode(), nil)
		}},
		{"POST urlencoded", func(e *env, p map[string]string) *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/sync", strings.NewReader(form(p).Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8")
			return r
		}},
		{"system params in query, business in urlencoded body", func(e *env, p map[string]string) *http.Request {
			q, b := url.Values{}, url.Values{}
			for k, v := range p {
				if k == "app_signature" {
					b.Set(k, v)
				} else {
					q.Set(k, v)
				}
			}
			r := httptest.NewRequest(http.MethodPost, "/sync?"+q.Encode(), strings.NewReader(b.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}},
		{"multipart with an unsigned file part", func(e *env, p map[string]string) *http.Request {
			body, ct := multipartBody(t, p, "image_file_bytes", []byte("\xff\xd8\xff not signed"))
			r := httptest.NewRequest(http.MethodPost, "/sync", body)
			r.Header.Set("Content-Type", ct)
			return r
		}},
		{"system params in query, multipart body (official PHP SDK)", func(e *env, p map[string]string) *http.Request {
			q := url.Values{}
			for _, k := range []string{"app_key", "sign_method", "timestamp", "method", "sign", "format"} {
				q.Set(k, p[k])
			}
			body, ct := multipartBody(t, map[string]string{"app_signature": p["app_signature"]}, "", nil)
			r := httptest.NewRequest(http.MethodPost, "/sync?"+q.Encode(), body)
			r.Header.Set("Content-Type", ct)
			return r
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Options{})
			p := e.params(method)
			p["app_signature"] = "sig value & more"
			e.sign("", p)
			status, _, body := e.serve(tt.build(e, p))
			v := decode(t, body)
			if status != 200 || at(v, "aliexpress_affiliate_category_get_response.resp_result.resp_code") == nil {
				t.Fatalf("%s = %d %s; want a category list", tt.name, status, truncate(string(body), 300))
			}
		})
	}
}

// TestTimestampForms checks the three accepted timestamp forms and the window.
func TestTimestampForms(t *testing.T) {
	tests := []struct {
		ts   string
		want string
	}{
		{strconv.FormatInt(testEpoch.UnixMilli(), 10), "0"},
		{testEpoch.In(gmt8).Format("2006-01-02 15:04:05"), "0"},
		{testEpoch.UTC().Format("2006-01-02T15:04:05Z"), "0"},
		// A UTC wall time read as GMT+8 is eight hours early: outside the window.
		{testEpoch.UTC().Format("2006-01-02 15:04:05"), "InvalidTimestamp"},
		{strconv.FormatInt(testEpoch.Add(-7200*time.Second).UnixMilli(), 10), "0"},
		{strconv.FormatInt(testEpoch.Add(7200*time.Second).UnixMilli(), 10), "0"},
		{strconv.FormatInt(testEpoch.Add(-7201*time.Second).UnixMilli(), 10), "InvalidTimestamp"},
		{testEpoch.Add(-3 * time.Hour).In(gmt8).Format("2006-01-02 15:04:05"), "InvalidTimestamp"},
		{"2026-13-45 99:00:00", "InvalidTimestamp"},
	}
	for _, tt := range tests {
		e := newEnv(t, Options{})
		p := e.params("aliexpress.affiliate.category.get")
		p["timestamp"] = tt.ts
		e.sign("", p)
		e.post("/sync", p)
		if got := e.sb.Calls()[0].Code; got != tt.want {
			t.Errorf("timestamp %q = %s; want %s", tt.ts, got, tt.want)
		}
	}
	e := newEnv(t, Options{TimestampWindow: time.Minute})
	p := e.params("aliexpress.affiliate.category.get")
	p["timestamp"] = strconv.FormatInt(testEpoch.Add(-2*time.Minute).UnixMilli(), 10)
	e.sign("", p)
	e.post("/sync", p)
	if got := e.sb.Calls()[0].Code; got != "InvalidTimestamp" {
		t.Errorf("2 minutes old with a 1-minute window = %s; want InvalidTimestamp", got)
	}
}

// TestSignMethods checks the three sign methods on /sync and access_token as the token's other name.
func TestSignMethods(t *testing.T) {
	for _, m := range []string{"sha256", "md5", "hmac"} {
		e := newEnv(t, Options{})
		p := e.params("aliexpress.ds.feedname.get")
		p["sign_method"] = m
		p["access_token"] = e.token
		e.sign("", p)
		_, body := e.post("/sync", p)
		if got := e.sb.Calls()[0].Code; got != "0" {
			t.Errorf("sign_method %s = %s (%s); want success", m, got, truncate(string(body), 200))
		}
	}
}

func TestIPWhitelist(t *testing.T) {
	e := newEnv(t, Options{IPWhitelist: []string{"10.1.2.3"}})
	if got := e.errCode("aliexpress.affiliate.category.get", nil); got != "AppWhiteIpLimit" {
		t.Errorf("call from 192.0.2.1 = %q; want AppWhiteIpLimit", got)
	}
	e = newEnv(t, Options{IPWhitelist: []string{"192.0.2.1"}}) // httptest.NewRequest's address
	if got := e.errCode("aliexpress.affiliate.category.get", nil); got != "" {
		t.Errorf("call from a whitelisted address = %q; want success", got)
	}
}

func TestWrongHTTPMethod(t *testing.T) {
	e := newEnv(t, Options{})
	status, _, _ := e.serve(httptest.NewRequest(http.MethodPut, "/sync", nil))
	if status != http.StatusMethodNotAllowed {
		t.Errorf("PUT /sync = %d; want 405", status)
	}
	status, _, _ = e.serve(httptest.NewRequest(http.MethodGet, "/rest/auth/token/create", nil))
	if status != http.StatusMethodNotAllowed {
		t.Errorf("GET /rest/auth/token/create = %d; want 405 (token APIs are POST only)", status)
	}
}
