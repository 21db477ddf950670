package aliexpress

import (
	"context"
	"strconv"
	"strings"
)

// PromotionLinkType chooses the commission a generated link earns (promotion_link_type).
type PromotionLinkType int

// The promotion link types.
const (
	LinkTypeNormal PromotionLinkType = 0 // the standard commission
	LinkTypeHot    PromotionLinkType = 2 // the hot-product commission
)

// LinkOptions tune GenerateLinks.
type LinkOptions struct {
	LinkType PromotionLinkType
	// TrackingID is the Portals tracking ID the links credit; empty uses the client's
	// (WithTrackingID). One of the two is required.
	TrackingID    string
	ShipToCountry string
}

// PromotionLink is a tracked affiliate link made from a source URL.
type PromotionLink struct {
	SourceValue   string // the URL or value it was made from
	PromotionLink string // the tracked link; empty when the platform could not make one
	Message       string // why there is no link, when the platform says
}

type affLinkWire struct {
	SourceValue   flexString `json:"source_value"`
	PromotionLink flexString `json:"promotion_link"`
	Message       flexText   `json:"message"`
}

// GenerateLinks turns product or page URLs into tracked affiliate links with
// aliexpress.affiliate.link.generate, in one call. The links come in the platform's order, each
// naming its SourceValue; a value the platform cannot link carries a Message instead. When it can
// link none of them it answers "no results" (ErrNoResults). A value may not contain a comma: the
// platform splits the list on commas.
// Generating a link changes nothing on the platform, so the call is retried like a read.
func (s *AffiliateService) GenerateLinks(ctx context.Context, sourceValues []string, opts *LinkOptions) ([]PromotionLink, *Response, error) {
	const m = affMethodLinkGenerate
	if opts == nil {
		opts = &LinkOptions{}
	}
	bad := func(err error) ([]PromotionLink, *Response, error) { return nil, &Response{Method: m}, err }
	if len(sourceValues) == 0 {
		return bad(affInvalid(m, "source_values: no URL given"))
	}
	vals := make([]string, 0, len(sourceValues))
	for i, v := range sourceValues {
		v = strings.TrimSpace(v)
		switch {
		case v == "":
			return bad(affInvalid(m, "source_values[%d] is empty", i))
		case strings.Contains(v, ","):
			return bad(affInvalid(m, "source_values[%d] %.80q contains a comma; percent-encode it as %%2C", i, v))
		}
		vals = append(vals, v)
	}
	switch opts.LinkType {
	case LinkTypeNormal, LinkTypeHot:
	default:
		return bad(affInvalid(m, "LinkType (promotion_link_type): %d is not 0 (normal) or 2 (hot)", int(opts.LinkType)))
	}
	tid := strings.TrimSpace(opts.TrackingID)
	if tid == "" {
		tid = s.client.trackingID
	}
	if tid == "" {
		return bad(affInvalid(m, "tracking_id: no tracking ID in the options and none on the client (WithTrackingID)"))
	}
	cc, err := affCountry(m, "ShipToCountry (ship_to_country)", opts.ShipToCountry)
	if err != nil {
		return bad(err)
	}
	p := affParams{
		"promotion_link_type": strconv.Itoa(int(opts.LinkType)),
		"source_values":       strings.Join(vals, ","),
		"tracking_id":         tid,
	}
	p.set("ship_to_country", cc)

	x, err := s.client.do(ctx, &request{method: m, params: p, idempotent: true})
	if err != nil {
		return nil, x.resp, err
	}
	path, raw := x.result()
	var w struct {
		PromotionLinks list[affLinkWire] `json:"promotion_links"`
	}
	if err := x.decode(path, raw, &w); err != nil {
		return nil, x.resp, err
	}
	out := make([]PromotionLink, 0, w.PromotionLinks.len())
	for _, lw := range w.PromotionLinks.all() {
		out = append(out, PromotionLink{
			SourceValue:   lw.SourceValue.s,
			PromotionLink: lw.PromotionLink.s,
			Message:       lw.Message.s,
		})
	}
	return out, x.resp, nil
}
