package aliexpress

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Kinds of failure. Every error a Client returns for a failed call is an *Error whose Kind is one of
// these, so callers write errors.Is(err, aliexpress.ErrRateLimited) and errors.As(err, &apiErr).
var (
	// ErrSignature: the gateway refused the request signature (IncompleteSignature). The app secret
	// is wrong, or the sign method is not accepted.
	ErrSignature = errors.New("request signature refused")
	// ErrAppKey: the gateway does not know the app key (InvalidAppkey).
	ErrAppKey = errors.New("app key not recognised")
	// ErrInvalidToken: the access token (session) is invalid or expired (IllegalAccessToken).
	ErrInvalidToken = errors.New("access token invalid or expired")
	// ErrInvalidRefreshToken: the refresh token is unknown, used up or expired (IllegalRefreshToken).
	ErrInvalidRefreshToken = errors.New("refresh token invalid or expired")
	// ErrInvalidCode: the OAuth authorization code is expired (3 minutes), reused or unknown (InvalidCode).
	ErrInvalidCode = errors.New("authorization code invalid, expired or already used")
	// ErrPermission: the app or user may not call this API (InsufficientPermission, isv.insufficient-permission).
	ErrPermission = errors.New("insufficient permission")
	// ErrIPNotAllowed: the caller's IP address is not on the app's whitelist (AppWhiteIpLimit).
	ErrIPNotAllowed = errors.New("caller IP not on the app's whitelist")
	// ErrRateLimited: the platform throttled the call (ApiCallLimit); Error.RetryAfter holds the ban length.
	ErrRateLimited = errors.New("rate limited by the platform")
	// ErrBudgetExhausted: the client's own daily call budget is used up; no call was made.
	ErrBudgetExhausted = errors.New("daily call budget exhausted")
	// ErrTimestamp: the request timestamp was refused (clock skew beyond the platform's window).
	ErrTimestamp = errors.New("request timestamp refused")
	// ErrInvalidParameter: a parameter is missing or not valid for the method.
	ErrInvalidParameter = errors.New("invalid parameter")
	// ErrUnknownMethod: the gateway does not know the API method or path.
	ErrUnknownMethod = errors.New("unknown API method")
	// ErrNoResults: the query matched nothing (affiliate resp_code 405).
	ErrNoResults = errors.New("no results")
	// ErrPublisherNotRegistered: the app's account is not an approved affiliate publisher (resp_code 401).
	ErrPublisherNotRegistered = errors.New("publisher not registered for the affiliate program")
	// ErrItemNotFound: the product does not exist or is no longer listed (ITEM_ID_NOT_FOUND, 605).
	ErrItemNotFound = errors.New("item not found")
	// ErrNotAllowedToCountry: the product may not be sold to the destination country (602).
	ErrNotAllowedToCountry = errors.New("item not allowed to this country")
	// ErrDeliveryUnavailable: no delivery to the address or country (DELIVERY_NOT_AVAILABLE_TO_YOUR_ADDRESS).
	ErrDeliveryUnavailable = errors.New("delivery not available to this destination")
	// ErrOrderRejected: ds.order.create refused the order; Error.Code holds the platform's reason.
	ErrOrderRejected = errors.New("order rejected")
	// ErrDuplicateOrder: an order with the same out_order_id exists already (REPEATED_ORDER_ERROR).
	// It is also an ErrOrderRejected.
	ErrDuplicateOrder = fmt.Errorf("duplicate out_order_id: %w", ErrOrderRejected)
	// ErrTrackingNotFound: the order has no tracking data yet (1001 TRACKING DATA NOT FOUND).
	ErrTrackingNotFound = errors.New("tracking data not found")
	// ErrUnavailable: the platform or the network failed (ISP/SYSTEM errors, HTTP 5xx, timeouts).
	// Such calls are retried by the client before this is returned.
	ErrUnavailable = errors.New("platform unavailable")
	// ErrMalformedResponse: the answer could not be used. It is never the Kind itself: the kinds
	// below say why, and each of them is also an ErrMalformedResponse.
	ErrMalformedResponse = errors.New("malformed response")
	// ErrUnreadableResponse: the gateway's answer is not the platform's JSON at all (an HTML page, a
	// truncated body, JSON without the method's response object, an unexpected HTTP status). A
	// proxy or a gateway in trouble answers this way, so reads are retried.
	ErrUnreadableResponse = fmt.Errorf("the gateway's answer could not be read: %w", ErrMalformedResponse)
	// ErrRequiredField: the platform answered, but a field the answer is useless without (an ID, a
	// variant's price) is missing or cannot be read; Error.Field names it. Optional fields that
	// cannot be read never fail a call: they are left empty and listed in Response.Warnings.
	ErrRequiredField = fmt.Errorf("required field missing or unreadable: %w", ErrMalformedResponse)
	// ErrResponseTooLarge: the answer is larger than the client accepts (WithMaxResponseBytes). It is
	// not retried: the same request would bring the same answer.
	ErrResponseTooLarge = fmt.Errorf("answer too large: %w", ErrMalformedResponse)
	// ErrAPI: a platform error that fits none of the kinds above; Error.Code tells which.
	ErrAPI = errors.New("platform error")
)

// Error is a failed call. It never holds the app secret, an access token or a signature.
type Error struct {
	Method     string        // API method or path, e.g. "aliexpress.affiliate.product.query"
	Kind       error         // one of the Err* kinds of this package
	Type       string        // ISV, ISP or SYSTEM when the platform said
	Code       string        // the platform's code, e.g. "IncompleteSignature", "405", "ITEM_ID_NOT_FOUND"
	SubCode    string        // TOP-style sub code, e.g. "isv.insufficient-permission"
	Message    string        // the platform's message (or what went wrong locally), redacted
	Field      string        // for ErrRequiredField: the JSON path of the field, e.g. "result.ae_item_base_info_dto.product_id"
	RequestID  string        // the platform's request_id, for support tickets
	HTTPStatus int           // the HTTP status of the answer, 0 when there was none
	RetryAfter time.Duration // for ErrRateLimited: how long the platform's ban lasts
	Err        error         // the underlying cause (a network or decoding error), if any
}

// Error formats the failure on one line: method, kind, code and message.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("aliexpress: ")
	if e.Method != "" {
		b.WriteString(e.Method)
		b.WriteString(": ")
	}
	kind := ErrAPI
	if e.Kind != nil {
		kind = e.Kind
	}
	b.WriteString(kind.Error())
	if e.Code != "" || e.SubCode != "" {
		b.WriteString(" (")
		b.WriteString(e.Code)
		if e.SubCode != "" {
			if e.Code != "" {
				b.WriteString(" ")
			}
			b.WriteString(e.SubCode)
		}
		b.WriteString(")")
	}
	if e.Message != "" && !strings.EqualFold(e.Message, kind.Error()) {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, "; retry after %s", e.RetryAfter)
	}
	if e.RequestID != "" {
		b.WriteString(" [request_id ")
		b.WriteString(e.RequestID)
		b.WriteString("]")
	}
	return b.String()
}

// Unwrap lets errors.Is match the Kind and the underlying cause.
func (e *Error) Unwrap() []error {
	errs := make([]error, 0, 2)
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// Temporary reports whether trying the same call again later may succeed.
func (e *Error) Temporary() bool {
	return e.Kind == ErrUnavailable || e.Kind == ErrRateLimited
}

var banRe = regexp.MustCompile(`(?i)(\d+)\s*(?:more\s+)?seconds?`)

// banLength reads the ban length from a throttling message ("this ban will last 1 seconds").
func banLength(msg string) time.Duration {
	if m := banRe.FindStringSubmatch(msg); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil && n >= 0 && n < 7*24*3600 {
			return time.Duration(n) * time.Second
		}
	}
	return time.Second
}

// classify maps the platform's codes (gateway codes, legacy TOP numbers, DS business codes and
// affiliate resp_codes, section 4.6 of the reference) to a kind.
// classifyCode maps one code of the platform to a kind, or nil when the code is not known.
func classifyCode(c string) error {
	switch c {
	case "IncompleteSignature", "InvalidSignature", "24", "25":
		return ErrSignature
	case "InvalidAppkey", "InvalidAppKey", "AppKeyNotExist", "28", "29":
		return ErrAppKey
	case "IllegalAccessToken", "InvalidSession", "SessionExpired", "26", "27":
		return ErrInvalidToken
	case "IllegalRefreshToken":
		return ErrInvalidRefreshToken
	case "InvalidCode":
		return ErrInvalidCode
	case "InsufficientPermission", "AUTH_TYPE_UNSUPPORTED", "11", "12", "13":
		return ErrPermission
	case "AppWhiteIpLimit":
		return ErrIPNotAllowed
	case "ApiCallLimit", "AppCallLimit", "7":
		return ErrRateLimited
	case "InvalidTimestamp", "30", "31":
		return ErrTimestamp
	case "MissingParameter", "InvalidParameter", "UnsupportedParamMapping", "PARM_ILLEGL", "isv.402", "40", "41":
		return ErrInvalidParameter
	case "InvalidApiPath", "InvalidMethod", "21", "22":
		return ErrUnknownMethod
	case "ServiceUnavailable", "InternalError", "10":
		return ErrUnavailable
	case "ITEM_ID_NOT_FOUND", "605":
		return ErrItemNotFound
	case "602":
		return ErrNotAllowedToCountry
	case "DELIVERY_NOT_AVAILABLE_TO_YOUR_ADDRESS", "DELIVERY_INFO_EMPTY", "505":
		return ErrDeliveryUnavailable
	case "REPEATED_ORDER_ERROR":
		return ErrDuplicateOrder
	case "1001":
		return ErrTrackingNotFound
	case "405":
		return ErrNoResults
	case "401":
		return ErrPublisherNotRegistered
	}
	if strings.HasPrefix(c, "B_DROPSHIPPER_") || strings.HasPrefix(c, "A00") || isOrderCode(c) {
		return ErrOrderRejected
	}
	return nil
}

func classify(typ, code, subCode, msg string) error {
	c := strings.TrimSpace(code)
	// A TOP-style answer puts the real reason in sub_code under a generic code ("15 Remote service
	// error"), so a known sub_code decides before the generic code does.
	if k := classifyCode(c); k != nil {
		return k
	}
	if k := classifyCode(strings.TrimSpace(subCode)); k != nil {
		return k
	}
	switch sc := strings.ToLower(subCode); {
	case strings.Contains(sc, "insufficient-permission"), strings.Contains(sc, "invalid-authorization"):
		return ErrPermission
	case strings.Contains(sc, "limited-by"), strings.Contains(sc, "call-limit"):
		return ErrRateLimited
	case strings.Contains(sc, "invalid-parameter"), strings.Contains(sc, "missing"):
		return ErrInvalidParameter
	case strings.HasPrefix(sc, "isp."):
		return ErrUnavailable
	}
	lm := strings.ToLower(msg)
	switch {
	case strings.Contains(lm, "not allowed to this country"):
		return ErrNotAllowedToCountry
	case strings.Contains(lm, "item_id_not_found"), strings.Contains(lm, "item not found"):
		return ErrItemNotFound
	case strings.Contains(lm, "tracking data not found"):
		return ErrTrackingNotFound
	case strings.Contains(lm, "frequency exceeds the limit"):
		return ErrRateLimited
	case strings.Contains(lm, "this publisher is not registered"):
		return ErrPublisherNotRegistered
	}
	switch c {
	case "15", "50", "404", "500", "502", "503", "504":
		// Remote service error (TOP), System Error (affiliate 404), and HTTP-like server errors.
		return ErrUnavailable
	}
	if strings.EqualFold(typ, "ISP") || strings.EqualFold(typ, "SYSTEM") {
		return ErrUnavailable
	}
	return ErrAPI
}

func isOrderCode(c string) bool {
	switch c {
	case "BLACKLIST_BUYER_IN_LIST", "USER_ACCOUNT_DISABLED", "PRICE_PAY_CURRENCY_ERROR", "DELIVERY_METHOD_NOT_EXIST",
		"INVENTORY_HOLD_ERROR", "ERROR_WHEN_BUILD_FOR_PLACE_ORDER":
		return true
	}
	return false
}
