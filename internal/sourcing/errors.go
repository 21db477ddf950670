package sourcing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/quota"
)

// translation is how one kind of SDK failure reads to a user: the domain code, a stable reason for
// metrics and logs, and the words.
type translation struct {
	kind    error
	code    string
	reason  string
	message string
}

// translations is the one table of words for AliExpress's failures; the web pages, the JSON API,
// the command line and the metrics all read it through Translate and Reason. The first kind that
// matches wins, so specific kinds come before the general ones they wrap.
var translations = [...]translation{
	{aliexpress.ErrItemNotFound, catalog.ENotFound, "item_not_found", "the product is not (or no longer) listed on AliExpress: check the ID or link"},
	{aliexpress.ErrNotAllowedToCountry, catalog.ENotShipped, "not_allowed_to_country", "the product may not be sold to that country"},
	{aliexpress.ErrDeliveryUnavailable, catalog.ENotShipped, "delivery_unavailable", "the product does not ship to that country"},
	{aliexpress.ErrNoResults, catalog.ENotFound, "no_results", "AliExpress found nothing for that: loosen the filters or try other words"},
	{aliexpress.ErrBudgetExhausted, catalog.ERateLimited, "budget_exhausted", "today's AliExpress call budget (ALISCOUT_DAILY_BUDGET) is used up; it resets at midnight GMT+8"},
	{aliexpress.ErrRateLimited, catalog.ERateLimited, "rate_limited", "AliExpress is rate-limiting this app: try again in a moment"},
	{aliexpress.ErrSignature, catalog.EConfig, "signature", "AliExpress refused the request signature: check ALIEXPRESS_APP_SECRET (and ALISCOUT_SIGN_METHOD if you set it)"},
	{aliexpress.ErrAppKey, catalog.EConfig, "app_key", "AliExpress does not know the app key: check ALIEXPRESS_APP_KEY"},
	{aliexpress.ErrPublisherNotRegistered, catalog.EConfig, "publisher_not_registered", "the app's account is not an approved affiliate publisher: register at portals.aliexpress.com and apply for the Affiliates API"},
	{aliexpress.ErrPermission, catalog.EConfig, "permission", "the app may not call this AliExpress API: check its API permissions in the App Console"},
	{aliexpress.ErrIPNotAllowed, catalog.EConfig, "ip_not_allowed", "this server's IP address is not on the app's IP whitelist in the App Console"},
	{aliexpress.ErrInvalidRefreshToken, catalog.EConfig, "invalid_refresh_token", "the AliExpress refresh token is invalid or expired: connect the AliExpress account again (aliscout auth)"},
	{aliexpress.ErrInvalidToken, catalog.EConfig, "invalid_token", "the dropshipping access token is invalid or expired: renew it (aliscout auth --refresh) or connect the account again (aliscout auth)"},
	{aliexpress.ErrInvalidCode, catalog.EInvalid, "invalid_code", "the authorization code is expired (3 minutes), already used or unknown: start the authorization again"},
	{aliexpress.ErrTimestamp, catalog.EConfig, "timestamp", "AliExpress refused the request time: check this machine's clock"},
	{aliexpress.ErrInvalidParameter, catalog.EInvalid, "invalid_parameter", "AliExpress refused a parameter"},
	{aliexpress.ErrUnknownMethod, catalog.EConfig, "unknown_method", "the gateway does not know this API method: check ALIEXPRESS_GATEWAY"},
	{aliexpress.ErrDuplicateOrder, catalog.EInvalid, "duplicate_order", "AliExpress already has an order with this number: it was placed before"},
	{aliexpress.ErrOrderRejected, catalog.EInvalid, "order_rejected", "AliExpress refused the order"},
	{aliexpress.ErrTrackingNotFound, catalog.ENotFound, "tracking_not_found", "AliExpress has no tracking for this order yet"},
	{aliexpress.ErrUnreadableResponse, catalog.EUpstream, "unreadable_response", "the gateway's answer could not be read: it is not AliExpress's API (check ALIEXPRESS_GATEWAY or --gateway)"},
	{aliexpress.ErrResponseTooLarge, catalog.EUpstream, "response_too_large", "AliExpress's answer was larger than aliscout reads: try again, or ask for fewer products at once"},
	{aliexpress.ErrRequiredField, catalog.EUpstream, "required_field", "AliExpress's answer lacks a field aliscout needs for this product"},
	{aliexpress.ErrMalformedResponse, catalog.EUpstream, "malformed_response", "AliExpress's answer could not be read"},
	{aliexpress.ErrUnavailable, catalog.EUpstream, "unavailable", "AliExpress could not be reached or failed: check the network, then try again in a moment"},
	{context.DeadlineExceeded, catalog.EUpstream, "timeout", "AliExpress took too long to answer: try again in a moment"},
	{context.Canceled, catalog.EUpstream, "canceled", "the request was cancelled"},
	{aliexpress.ErrAPI, catalog.EUpstream, "api", "AliExpress answered with an error"},
}

// Translate turns an error of the AliExpress SDK into the *catalog.Error that every user interface
// shows: the one place where the platform's failures get words. The platform's own message is kept
// where it helps the user (refused parameters and orders); the SDK has already redacted it. A
// *catalog.Error passes through unchanged, and nil stays nil.
func Translate(err error) error {
	if err == nil {
		return nil
	}
	var ce *catalog.Error
	if errors.As(err, &ce) {
		return ce
	}
	if se, ok := quota.IsShareSpent(err); ok {
		// A user over their share of the day's calls: saved and cached answers go on working.
		return &catalog.Error{Code: catalog.ERateLimited, Reason: "share_spent", Message: se.Error(),
			RetryAfter: time.Until(se.ResetAt).Round(time.Second), Err: err}
	}
	e := &catalog.Error{Code: catalog.EUpstream, Reason: "other", Message: "AliExpress did not answer: try again in a moment", Err: err}
	for _, t := range translations {
		if errors.Is(err, t.kind) {
			e.Code, e.Reason, e.Message = t.code, t.reason, t.message
			break
		}
	}
	if e.Reason == "budget_exhausted" {
		// The budget resets with the platform's day; a 503 says when (Retry-After).
		now := time.Now()
		e.RetryAfter = PlatformDayEnd(now).Sub(now).Round(time.Second)
	}
	var ae *aliexpress.Error
	if errors.As(err, &ae) {
		if e.Code == catalog.ERateLimited && ae.RetryAfter > 0 {
			e.RetryAfter = ae.RetryAfter
		}
		if e.Code == catalog.EInvalid && ae.Message != "" {
			e.Message = fmt.Sprintf("%s: %s", e.Message, ae.Message)
		}
		if e.Reason == "required_field" && ae.Field != "" {
			e.Message = fmt.Sprintf("%s (%s)", e.Message, ae.Field)
		}
	}
	return e
}

// Reason names the cause of err for a metrics label or a log field: one of a small fixed set
// ("rate_limited", "signature", "timeout", ..., "other"), "" for nil.
func Reason(err error) string {
	if err == nil {
		return ""
	}
	var ce *catalog.Error
	if errors.As(Translate(err), &ce) && ce.Reason != "" {
		return ce.Reason
	}
	return "other"
}

// notListed is the answer for a product AliExpress does not list.
func notListed(id int64) *catalog.Error {
	return &catalog.Error{Code: catalog.ENotFound, Reason: "item_not_found", Message: fmt.Sprintf("product %d is not (or no longer) listed on AliExpress", id)}
}
