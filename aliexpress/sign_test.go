package aliexpress

import (
	"testing"
)

// The vectors of the platform reference, section 3.3: app key 500123, secret s3cr3tKeyForTests.
const testSecret = "s3cr3tKeyForTests"

func v1Params(signMethod string) map[string]string {
	return map[string]string{
		"app_key": "500123", "format": "json", "keywords": "wireless earbuds",
		"method": "aliexpress.affiliate.product.query", "page_no": "1", "page_size": "20",
		"sign_method": signMethod, "sort": "LAST_VOLUME_DESC", "target_currency": "USD",
		"target_language": "EN", "timestamp": "1700000000000", "tracking_id": "mytrack",
	}
}

func with(p map[string]string, kv ...string) map[string]string {
	out := make(map[string]string, len(p)+len(kv)/2)
	for k, v := range p {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func TestSignVectors(t *testing.T) {
	const order = `{"out_order_id":"ORD-1","logistics_address":{"address":"1 Main St","city":"Austin","contact_person":"Jane Doe","country":"US","full_name":"Jane Doe","mobile_no":"5125550100","phone_country":"+1","province":"Texas","zip":"73301"},"product_items":[{"product_id":1005001234567890,"product_count":1,"sku_attr":"14:175#Black","logistics_service_name":"CAINIAO_STANDARD"}]}`
	legacy := with(v1Params("hmac"), "timestamp", "2023-11-15 06:13:20", "v", "2.0")
	tests := []struct {
		name       string
		method     SignMethod
		apiPath    string
		params     map[string]string
		wantString string // checked when not empty
		want       string
	}{
		{
			name: "V1 sync sha256", method: SignSHA256, params: v1Params("sha256"),
			wantString: "app_key500123formatjsonkeywordswireless earbudsmethodaliexpress.affiliate.product.querypage_no1page_size20sign_methodsha256sortLAST_VOLUME_DESCtarget_currencyUSDtarget_languageENtimestamp1700000000000tracking_idmytrack",
			want:       "D4E38F7908E09FDFA5E0EC697E9EEDF812E9CD92CFC177FCAB92D4D02908CC0E",
		},
		{name: "V2 sync md5", method: SignMD5, params: v1Params("md5"), want: "B706F0055761352428FF50C18149358B"},
		{
			name: "V3 rest token create", method: SignSHA256, apiPath: "/auth/token/create",
			params:     map[string]string{"app_key": "500123", "code": "3_500123_TESTCODE", "sign_method": "sha256", "timestamp": "1700000000000"},
			wantString: "/auth/token/createapp_key500123code3_500123_TESTCODEsign_methodsha256timestamp1700000000000",
			want:       "70120A28CDCA4BE548A1427F6424DA1D1794D70AD948DCF576D95D044601D287",
		},
		{
			name: "V3b rest token create with method param", method: SignSHA256, apiPath: "/auth/token/create",
			params: map[string]string{"app_key": "500123", "code": "3_500123_TESTCODE", "method": "/auth/token/create", "sign_method": "sha256", "timestamp": "1700000000000"},
			want:   "70DB1936C384C98986939303514BC0DA259276961430FFFA66A613A2EA72B1B0",
		},
		{
			name: "V4 rest token refresh", method: SignSHA256, apiPath: "/auth/token/refresh",
			params: map[string]string{"app_key": "500123", "refresh_token": "50001600TESTREFRESH", "sign_method": "sha256", "timestamp": "1700000000000"},
			want:   "425E7C1C90133F8E8AF3426F6C94378E5C65C0F6930D1FDDE90D7CC17F9FDBF7",
		},
		{name: "V5 legacy hmac", method: SignHMAC, params: legacy, want: "16B150413C13FE6A5C21F4E237DDC316"},
		{name: "V5 legacy md5", method: SignMD5, params: with(legacy, "sign_method", "md5"), want: "A70855B6A95C6D2DFB1E915181DFF31C"},
		{
			name: "V6 ds product get with session", method: SignSHA256,
			params: map[string]string{"app_key": "500123", "method": "aliexpress.ds.product.get", "product_id": "1005001234567890", "session": "50000000TESTTOKEN", "ship_to_country": "US", "sign_method": "sha256", "target_currency": "USD", "target_language": "en", "timestamp": "1700000000000"},
			want:   "402D53BB9BF6DB966010D6048CC061AB68CA02BCA5CB91474D661499CB219FC2",
		},
		{
			name: "V7 mixed case names and UTF-8", method: SignSHA256,
			params:     map[string]string{"app_key": "500123", "countryCode": "US", "currency": "USD", "keyWord": "café 耳机", "local": "en_US", "method": "aliexpress.ds.text.search", "session": "50000000TESTTOKEN", "sign_method": "sha256", "timestamp": "1700000000000"},
			wantString: "app_key500123countryCodeUScurrencyUSDkeyWordcafé 耳机localen_USmethodaliexpress.ds.text.searchsession50000000TESTTOKENsign_methodsha256timestamp1700000000000",
			want:       "1B392AC71BEB43E23559882447757EFE202846CEFD8B5A7159156FC9EAB1AF27",
		},
		{name: "V8 empty value skipped", method: SignSHA256, params: with(v1Params("sha256"), "category_ids", ""), want: "D4E38F7908E09FDFA5E0EC697E9EEDF812E9CD92CFC177FCAB92D4D02908CC0E"},
		{name: "V8 whitespace value skipped", method: SignSHA256, params: with(v1Params("sha256"), "category_ids", " \t"), want: "D4E38F7908E09FDFA5E0EC697E9EEDF812E9CD92CFC177FCAB92D4D02908CC0E"},
		{name: "V8 sign param ignored", method: SignSHA256, params: with(v1Params("sha256"), "sign", "ABC"), want: "D4E38F7908E09FDFA5E0EC697E9EEDF812E9CD92CFC177FCAB92D4D02908CC0E"},
		{
			name: "V9 JSON-valued parameter", method: SignSHA256,
			params: map[string]string{"param_place_order_request4_open_api_d_t_o": order, "app_key": "500123", "method": "aliexpress.ds.order.create", "session": "50000000TESTTOKEN", "sign_method": "sha256", "timestamp": "1700000000000"},
			want:   "279166DD70E5E8F8AE140F054066DF1BDE70D81F52678BBD4A7DA7D7DBC23E7D",
		},
		{
			name: "V10 byte order appKey before app_key", method: SignSHA256,
			params:     map[string]string{"appKey": "500123", "app_key": "500123", "countryCodes": "US,DE", "itemId": "1005001234567890", "method": "aliexpress.ds.product.specialinfo.get", "session": "50000000TESTTOKEN", "sign_method": "sha256", "timestamp": "1700000000000"},
			wantString: "appKey500123app_key500123countryCodesUS,DEitemId1005001234567890methodaliexpress.ds.product.specialinfo.getsession50000000TESTTOKENsign_methodsha256timestamp1700000000000",
			want:       "C68BBD52B33DC8B8D3A367672F1D77F6344C16CEBEB24FDAF7284DDD31DCE804",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.wantString != "" {
				if got := CanonicalString(tt.apiPath, tt.params); got != tt.wantString {
					t.Errorf("CanonicalString() = %q; want %q", got, tt.wantString)
				}
			}
			got, err := Sign(tt.method, testSecret, tt.apiPath, tt.params)
			if err != nil {
				t.Fatalf("Sign() error = %v", err)
			}
			if got != tt.want {
				t.Errorf("Sign(%s) = %s; want %s", tt.method, got, tt.want)
			}
		})
	}
}

func TestSignNoPrefixForSyncMethodName(t *testing.T) {
	p := v1Params("sha256")
	a, _ := Sign(SignSHA256, testSecret, "", p)
	b, _ := Sign(SignSHA256, testSecret, "aliexpress.affiliate.product.query", p)
	if a != b {
		t.Errorf("Sign with a /sync method name as apiPath = %s; want %s (no prefix without a slash)", b, a)
	}
}

func TestSignUnknownMethod(t *testing.T) {
	if _, err := Sign("sha1", testSecret, "", v1Params("sha1")); err == nil {
		t.Error("Sign(sha1) error = nil; want an error naming the sign method")
	}
}

func TestSignNoBreakSpaceIsAValue(t *testing.T) {
	// Java's Character.isWhitespace does not count U+00A0, so a no-break space is signed as a value.
	p := with(v1Params("sha256"), "category_ids", "\u00a0")
	a, _ := Sign(SignSHA256, testSecret, "", p)
	if a == "D4E38F7908E09FDFA5E0EC697E9EEDF812E9CD92CFC177FCAB92D4D02908CC0E" {
		t.Error("Sign skipped a no-break-space value; want it signed as Java's rule does")
	}
}

func FuzzSign(f *testing.F) {
	f.Add("keywords", "wireless earbuds", "wireless earbud", "", byte(0))
	f.Add("appKey", "500123", "500124", "/auth/token/create", byte(1))
	f.Add("keyWord", "café 耳机", "cafe 耳机", "", byte(2))
	f.Add("x", "ab", "a b", "", byte(0))
	f.Fuzz(func(t *testing.T, name, value, other, apiPath string, m byte) {
		method := []SignMethod{SignSHA256, SignMD5, SignHMAC}[int(m)%3]
		p := with(v1Params(string(method)), name, value)
		s1, err := Sign(method, testSecret, apiPath, p)
		if err != nil {
			t.Fatal(err)
		}
		if isBlank(name) || isBlank(value) || isBlank(other) || name == "sign" || value == other {
			return
		}
		// Any change to a signed value must change the signature.
		s2, _ := Sign(method, testSecret, apiPath, with(p, name, other))
		if s1 == s2 {
			t.Errorf("Sign did not change when %q changed from %q to %q", name, value, other)
		}
	})
}

func BenchmarkSign(b *testing.B) {
	p := v1Params("sha256")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Sign(SignSHA256, testSecret, "", p); err != nil {
			b.Fatal(err)
		}
	}
}
