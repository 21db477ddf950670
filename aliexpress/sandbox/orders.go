package sandbox

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aliscout/aliscout/aliexpress/sandbox/internal/world"
)

// How DS orders move along when nobody intervenes.
const (
	payTimeout       = 24 * time.Hour // unpaid orders close after this
	repeatWindow     = 24 * time.Hour // out_order_id is an idempotency key for this long
	confirmAfter     = 24 * time.Hour // the buyer confirms receipt this long after delivery
	payProcessing    = 2 * time.Minute
	minDispatchDelay = 12 * time.Hour
)

// holdKey names the stock of one SKU on one catalog day.
type holdKey struct {
	sku string
	day int
}

// available is a variant's stock less what orders have taken from it today.
func (s *Sandbox) available(v world.Variant, day int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return max(v.Stock-s.holds[holdKey{v.SKUID, day}], 0)
}

// dsOrder is one order as the platform keeps it: all items of one shop.
type dsOrder struct {
	id       int64
	user     string
	outID    string
	created  time.Time
	paid     bool
	paidAt   time.Time
	shop     world.Shop
	country  string
	lead     int
	service  world.ShippingOption
	items    []orderItem
	currency string // pay currency
	// payFailed: try_to_pay was asked and refused (Options.AutoPayDisabled); the order waits unpaid.
	payFailed bool
}

type orderItem struct {
	productID int64
	title     string
	image     string
	skuID     string
	attr      string
	desc      string // sku_desc of tracking: "Color:Black; Size:M"
	count     int
	unit      int64 // USD cents per unit: the sale price, or the wholesale tier's
	amount    int64 // USD cents for all the units (units past a buy limit may cost more than unit)
	shipping  int64 // USD cents for the line
	service   world.ShippingOption
}

func (o *dsOrder) total() int64 {
	var t int64
	for _, it := range o.items {
		t += it.amount + it.shipping
	}
	return t
}

// timeline gives when a paid order leaves the seller, arrives and is confirmed.
func (o *dsOrder) timeline() (ship, deliver, finish time.Time) {
	ship = o.paidAt.Add(max(time.Duration(o.lead)*24*time.Hour, minDispatchDelay))
	days := (o.service.MinDays + o.service.MaxDays) / 2
	deliver = ship.Add(time.Duration(max(days, 1)) * 24 * time.Hour)
	return ship, deliver, deliver.Add(confirmAfter)
}

// state is the order's order_status and logistics_status at now, and the reason it ended, if it did.
func (o *dsOrder) state(now time.Time) (status, logistics, endReason string) {
	if !o.paid {
		if now.Sub(o.created) >= payTimeout {
			return "FINISH", "NO_LOGISTICS", "buyer_pay_timeout"
		}
		return "PLACE_ORDER_SUCCESS", "DEFAULT", ""
	}
	ship, deliver, finish := o.timeline()
	switch {
	case now.Before(o.paidAt.Add(payProcessing)):
		return "PAYMENT_PROCESSING", "DEFAULT", ""
	case now.Before(ship):
		return "WAIT_SELLER_SEND_GOODS", "WAIT_SELLER_SEND_GOODS", ""
	case now.Before(deliver):
		return "WAIT_BUYER_ACCEPT_GOODS", "SELLER_SEND_GOODS", ""
	case now.Before(finish):
		return "WAIT_BUYER_ACCEPT_GOODS", "SELLER_SEND_GOODS", ""
	}
	return "FINISH", "BUYER_ACCEPT_GOODS", ""
}

func (o *dsOrder) mailNo() string { return fmt.Sprintf("LP00%012d", o.id%1e12) }

// PayOrder pays an order awaiting payment, as the buyer would on the AliExpress site, and reports
// whether there was such an order.
func (s *Sandbox) PayOrder(orderID int64) bool {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[orderID]
	if !ok || o.paid {
		return false
	}
	if st, _, _ := o.state(now); st != "PLACE_ORDER_SUCCESS" {
		return false
	}
	o.paid, o.paidAt = true, now
	s.scanHooks(now)
	return true
}

// OrderStatus returns the order_status and logistics_status of an order now, for tests.
func (s *Sandbox) OrderStatus(orderID int64) (status, logistics string, ok bool) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[orderID]
	if !ok {
		return "", "", false
	}
	status, logistics, _ = o.state(now)
	return status, logistics, true
}

// --- ds.order.create -----------------------------------------------------------------------------

type orderAddress struct {
	Address             flexString `json:"address"`
	Address2            flexString `json:"address2"`
	City                flexString `json:"city"`
	Province            flexString `json:"province"`
	Country             flexString `json:"country"`
	Zip                 flexString `json:"zip"`
	ContactPerson       flexString `json:"contact_person"`
	FullName            flexString `json:"full_name"`
	MobileNo            flexString `json:"mobile_no"`
	PhoneCountry        flexString `json:"phone_country"`
	Locale              flexString `json:"locale"`
	CPF                 flexString `json:"cpf"`
	PassportNo          flexString `json:"passport_no"`
	TaxNumber           flexString `json:"tax_number"`
	RutNo               flexString `json:"rut_no"`
	ForeignerPassportNo flexString `json:"foreigner_passport_no"`
	IsForeigner         *flexBool  `json:"is_foreigner"` // nil when not sent
	VatNo               flexString `json:"vat_no"`
	TaxCompany          flexString `json:"tax_company"`
}

type orderItemReq struct {
	ProductID            flexString `json:"product_id"`
	ProductCount         flexString `json:"product_count"`
	SkuAttr              flexString `json:"sku_attr"`
	LogisticsServiceName flexString `json:"logistics_service_name"`
	OrderMemo            flexString `json:"order_memo"`
}

type dsExtend struct {
	Promotion struct {
		Code       string `json:"promotion_code"`
		ActivityID string `json:"promotion_activity_id"`
	} `json:"promotion"`
	Payment struct {
		PayCurrency string   `json:"pay_currency"`
		TryToPay    flexBool `json:"try_to_pay"`
	} `json:"payment"`
	TradeExtraParam struct {
		BusinessModel string `json:"business_model"`
		NatAddr       string `json:"nat_addr"`
	} `json:"trade_extra_param"`
}

type placeOrderReq struct {
	OutOrderID       flexString     `json:"out_order_id"`
	LogisticsAddress *orderAddress  `json:"logistics_address"`
	ProductItems     []orderItemReq `json:"product_items"`
	// The legacy trade.buy.placeorder nests ds_extend_request here.
	DSExtendRequest *dsExtend `json:"ds_extend_request"`
}

// orderFail is ds.order.create's business failure: HTTP 200, no error_response.
func orderFail(code, msg string) obj {
	return obj{"result": obj{"is_success": false, "error_code": code, "error_msg": msg}}
}

// dsOrderCreate is ds.order.create: validate everything the platform validates, then place one order
// per shop, optionally paying it.
func (s *Sandbox) dsOrderCreate(c *call) (obj, *apiError) {
	raw := c.param("param_place_order_request4_open_api_d_t_o")
	if raw == "" {
		return nil, missingParam("param_place_order_request4_open_api_d_t_o")
	}
	var req placeOrderReq
	if err := json.Unmarshal([]byte(raw), &req); err != nil {
		return orderFail("PARM_ILLEGL", "param_place_order_request4_open_api_d_t_o is not valid: "+err.Error()), nil
	}
	var ext dsExtend
	if req.DSExtendRequest != nil {
		ext = *req.DSExtendRequest
	}
	if rawExt := c.param("ds_extend_request"); rawExt != "" {
		if err := json.Unmarshal([]byte(rawExt), &ext); err != nil {
			return orderFail("PARM_ILLEGL", "ds_extend_request is not valid: "+err.Error()), nil
		}
	}
	if len(req.ProductItems) == 0 {
		return orderFail("PARM_ILLEGL", "product_items is empty"), nil
	}
	if st := s.buyerStatus(c.user); st != BuyerActive {
		return orderFail(string(st), buyerStatusMsg), nil
	}
	if req.LogisticsAddress == nil {
		return orderFail(addressFail, "Please enter an address"), nil
	}
	outID := strings.TrimSpace(string(req.OutOrderID))
	if outID != "" && s.repeated(c.user, outID, c.now) {
		s.mu.Lock()
		msg := repeatedMsg(s.outIDs[c.user+"\x00"+outID])
		s.mu.Unlock()
		return orderFail("REPEATED_ORDER_ERROR", msg), nil
	}
	addr := *req.LogisticsAddress
	if bad := s.validateAddress(addr, ext.TradeExtraParam.NatAddr); bad.code != "" {
		return orderFail(bad.code, bad.msg), nil
	}
	country := strings.ToUpper(strings.TrimSpace(string(addr.Country)))
	if !world.Serves(country) {
		return orderFail("A002_INVALID_ZONE", fmt.Sprintf("AliExpress does not deliver to %s", country)), nil
	}
	if ext.Promotion.Code != "" || ext.Promotion.ActivityID != "" {
		// The Sandbox has no coupons, so none can be used.
		return orderFail("A004_CANNOT_USER_COUPON", "The coupon cannot be used for this order"), nil
	}
	payCurrency := strings.ToUpper(strings.TrimSpace(ext.Payment.PayCurrency))
	if payCurrency == "" {
		payCurrency = "USD"
	}
	if _, ok := world.Convert(100, payCurrency); !ok || (bool(ext.Payment.TryToPay) && payCurrency != "USD") {
		return orderFail("PRICE_PAY_CURRENCY_ERROR", "Automatic payment is only available in USD"), nil
	}
	if bm := ext.TradeExtraParam.BusinessModel; bm != "" && bm != "retail" && bm != "wholesale" {
		return orderFail("PARM_ILLEGL", "business_model must be retail or wholesale"), nil
	}

	type line struct {
		p    world.Product
		v    world.Variant
		item orderItem
	}
	lines := make([]line, 0, len(req.ProductItems))
	for i, it := range req.ProductItems {
		pid, err := strconv.ParseInt(strings.TrimSpace(string(it.ProductID)), 10, 64)
		if err != nil || pid <= 0 {
			return orderFail("PARM_ILLEGL", fmt.Sprintf("product_items[%d].product_id is not a product ID", i)), nil
		}
		count, err := strconv.Atoi(strings.TrimSpace(string(it.ProductCount)))
		if err != nil || count < 1 || count > 9999 {
			return orderFail("PARM_ILLEGL", fmt.Sprintf("product_items[%d].product_count must be 1 to 9999", i)), nil
		}
		p, ok := s.productByID(pid, c.day)
		if !ok {
			return orderFail("ERROR_WHEN_BUILD_FOR_PLACE_ORDER", fmt.Sprintf("The item %d does not exist or is no longer sold", pid)), nil
		}
		if slices.Contains(p.NotAllowedIn, country) {
			return orderFail("A005_INVALID_COUNTRIES", fmt.Sprintf("The item %d cannot be sent to %s", pid, country)), nil
		}
		v, ok := variantByAttr(p, string(it.SkuAttr))
		if !ok {
			return orderFail("ERROR_WHEN_BUILD_FOR_PLACE_ORDER", fmt.Sprintf("The sku_attr %q is not a SKU of item %d", string(it.SkuAttr), pid)), nil
		}
		opts := s.cat.Shipping(p, v.SKUID, country, count)
		service := strings.TrimSpace(string(it.LogisticsServiceName))
		var opt world.ShippingOption
		found := false
		for _, o := range opts {
			if service == "" || o.Code == service {
				opt, found = o, true
				break
			}
		}
		if !found {
			return orderFail("DELIVERY_METHOD_NOT_EXIST", fmt.Sprintf("The logistics service %q is not available for item %d to %s", service, pid, country)), nil
		}
		if v.BuyLimit > 0 && count > v.BuyLimit && v.LimitStrategy == world.LimitFail {
			// The documentation gives no code of its own for this; A001 is its generic refusal.
			return orderFail("A001_ORDER_CANNOT_BE_PLACED", fmt.Sprintf("The promotion of item %d allows at most %d units per order", pid, v.BuyLimit)), nil
		}
		unit, amount := linePrice(v, count)
		main := ""
		if len(p.Images) > 0 {
			main = p.Images[0]
		}
		lines = append(lines, line{p: p, v: v, item: orderItem{
			productID: p.ID, title: p.Title, image: main, skuID: v.SKUID, attr: v.Attr, desc: skuDesc(v),
			count: count, unit: unit, amount: amount, shipping: opt.Fee, service: opt,
		}})
	}

	pay := bool(ext.Payment.TryToPay) && !s.opts.AutoPayDisabled
	s.mu.Lock()
	defer s.mu.Unlock()
	// Checked again under the lock: two concurrent calls with one out_order_id place one order.
	key := c.user + "\x00" + outID
	if t, ok := s.outOrders[key]; outID != "" && ok && c.now.Sub(t) < repeatWindow {
		return orderFail("REPEATED_ORDER_ERROR", repeatedMsg(s.outIDs[key])), nil
	}
	need := map[holdKey]int{}
	for _, l := range lines {
		k := holdKey{l.v.SKUID, c.day}
		need[k] += l.item.count
		if l.v.Stock-s.holds[k] < need[k] {
			return orderFail("INVENTORY_HOLD_ERROR", fmt.Sprintf("Not enough stock of SKU %s of item %d", l.v.SKUID, l.p.ID)), nil
		}
	}
	for k, n := range need {
		s.holds[k] += n
	}
	byShop := map[int64]*dsOrder{}
	var ids []int64
	for _, l := range lines {
		o := byShop[l.p.ShopID]
		if o == nil {
			shop, _ := s.cat.Shop(l.p.ShopID)
			s.nextOrder += 1 + int64(s.rng.IntN(997))
			o = &dsOrder{
				id: s.nextOrder, user: c.user, outID: outID, created: c.now, shop: shop, country: country,
				lead: l.p.LeadDays, service: l.item.service, currency: payCurrency,
			}
			if pay {
				o.paid, o.paidAt = true, c.now
			}
			byShop[l.p.ShopID] = o
			s.orders[o.id] = o
			ids = append(ids, o.id)
		}
		o.lead = max(o.lead, l.p.LeadDays)
		o.items = append(o.items, l.item)
	}
	if outID != "" {
		for k, t := range s.outOrders {
			if c.now.Sub(t) >= repeatWindow {
				delete(s.outOrders, k)
				delete(s.outIDs, k)
			}
		}
		s.outOrders[key] = c.now
		s.outIDs[key] = slices.Clone(ids)
	}
	result := obj{"is_success": true, "order_list": wrap("number", ids, func(id int64) any { return id })}
	if bool(ext.Payment.TryToPay) && s.opts.AutoPayDisabled {
		result["error_msg"] = "OrderCreated, autoPay fail:APIPayFail"
		for _, id := range ids {
			s.orders[id].payFailed = true
		}
	}
	s.scanHooks(c.now)
	return obj{"result": result}, nil
}

// linePrice is what count units of v cost, as the changelog tells buyers to reckon it: the sale
// price, or the price of the largest wholesale tier the count reaches; past a back_to_normal_price
// buy limit the extra units cost the list price.
func linePrice(v world.Variant, count int) (unit, amount int64) {
	unit = v.SalePrice
	for _, t := range v.Tiers {
		if count >= t.MinQuantity {
			unit = t.Price
		}
	}
	if v.BuyLimit > 0 && count > v.BuyLimit {
		return unit, unit*int64(v.BuyLimit) + v.Price*int64(count-v.BuyLimit)
	}
	return unit, unit * int64(count)
}

// repeatedMsg is the REPEATED_ORDER_ERROR message. The Sandbox names the orders the out_order_id
// made, so a client whose answer was lost can find them; the platform's own message is not
// documented to, and a client must not rely on it.
func repeatedMsg(ids []int64) string {
	msg := "An order with this out_order_id was already placed in the last 24 hours"
	if len(ids) == 0 {
		return msg
	}
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return msg + " (order " + strings.Join(parts, ", ") + ")"
}

func (s *Sandbox) repeated(user, outID string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.outOrders[user+"\x00"+outID]
	return ok && now.Sub(t) < repeatWindow
}

// skuKey reduces a sku_attr to its property:value pairs, so "14:175#Black" and "14:175" match.
func skuKey(attr string) string {
	var parts []string
	for _, p := range strings.Split(attr, ";") {
		p, _, _ = strings.Cut(strings.TrimSpace(p), "#")
		if p != "" {
			parts = append(parts, p)
		}
	}
	slices.Sort(parts)
	return strings.Join(parts, ";")
}

// variantByAttr finds the variant a sku_attr names ("" for single-SKU products).
func variantByAttr(p world.Product, attr string) (world.Variant, bool) {
	want := skuKey(attr)
	for _, v := range p.Variants {
		if skuKey(v.Attr) == want {
			return v, true
		}
	}
	return world.Variant{}, false
}

// --- trade.ds.order.get ---------------------------------------------------------------------------

// trade.ds.order.get's failures come as the TOP-style error_response of the documentation's sample:
// ISP, code 15 "Remote service error", the reason in sub_code. An order nobody placed (or not yet
// visible, ~10 s after creation) answers isv.insufficient-permission, exactly the sample; another
// buyer's order answers isv.invalid-authorization, the documented code for "accessing data not
// belonging to you".
var (
	errOrderUnknown = &apiError{Type: "ISP", Code: "15", Msg: "Remote service error",
		SubCode: "isv.insufficient-permission", SubMsg: "Insufficient permission."}
	errOrderNotYours = &apiError{Type: "ISP", Code: "15", Msg: "Remote service error",
		SubCode: "isv.invalid-authorization", SubMsg: "Accessing data not belonging to you."}
)

// orderFor returns a copy of the user's order, once it is visible to queries; otherwise the error
// trade.ds.order.get answers.
func (s *Sandbox) orderFor(user string, id int64, now time.Time) (dsOrder, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	switch {
	case !ok || now.Sub(o.created) < s.opts.OrderVisibleAfter:
		return dsOrder{}, errOrderUnknown
	case o.user != user:
		return dsOrder{}, errOrderNotYours
	}
	cp := *o
	cp.items = slices.Clone(o.items)
	return cp, nil
}

func amountObj(usdCents int64, currency string) obj {
	return obj{"amount": money(usdCents, currency), "currency_code": currency}
}

// dsOrderGet is trade.ds.order.get. It takes single_order_query JSON as documented, and a bare
// order_id as two SDKs send it.
func (s *Sandbox) dsOrderGet(c *call) (obj, *apiError) {
	var id int64
	if raw := c.param("single_order_query"); raw != "" {
		var q struct {
			OrderID flexString `json:"order_id"`
		}
		if err := json.Unmarshal([]byte(raw), &q); err != nil {
			return nil, invalidParam("single_order_query", "not valid JSON")
		}
		if string(q.OrderID) == "" {
			return nil, missingParam("single_order_query.order_id")
		}
		var e *apiError
		if id, e = parseID("single_order_query.order_id", string(q.OrderID)); e != nil {
			return nil, e
		}
	} else if c.param("order_id") != "" {
		var e *apiError
		if id, e = c.idParam("order_id"); e != nil {
			return nil, e
		}
	} else {
		return nil, missingParam("single_order_query")
	}
	o, e := s.orderFor(c.user, id, c.now)
	if e != nil {
		return nil, e
	}
	status, logistics, endReason := o.state(c.now)
	childKey, logKey := "aeop_child_order_info", "aeop_order_logistics_info"
	if s.opts.LegacyOrderWrappers {
		childKey, logKey = "ae_child_order_info", "ae_order_logistics_info"
	}
	cur := o.currency
	children := wrap(childKey, o.items, func(it orderItem) any {
		line := it.amount
		return obj{
			"product_id":            it.productID,
			"product_name":          it.title,
			"product_count":         it.count,
			"sku_id":                it.skuID,
			"product_price":         amountObj(it.unit, cur),
			"sale_fee":              amountObj(line, cur),
			"sale_discount_fee":     amountObj(0, cur),
			"shipping_fee":          amountObj(it.shipping, cur),
			"shipping_discount_fee": amountObj(0, cur),
			"actual_shipping_fee":   amountObj(it.shipping, cur),
			"actual_tax_fee":        amountObj(0, cur),
			"actual_fee":            amountObj(line+it.shipping, cur),
			"already_include_tax":   false,
			"price_include_tax":     false,
			"end_reason":            endReason,
		}
	})
	result := obj{
		"gmt_create":        gmtTime(o.created),
		"order_status":      status,
		"logistics_status":  logistics,
		"order_amount":      amountObj(o.total(), "USD"),
		"user_order_amount": amountObj(o.total(), cur),
		"store_info": obj{
			"store_id":   o.shop.ID,
			"store_name": o.shop.Name,
			"store_url":  shopURL(o.shop.ID),
		},
		"child_order_list": children,
	}
	if status == "PLACE_ORDER_SUCCESS" {
		result["pay_timeout_second"] = int64(o.created.Add(payTimeout).Sub(c.now) / time.Second)
	}
	if o.paid {
		result["order_paidtime_string"] = gmtTime(o.paidAt)
	}
	if ship, _, _ := o.timeline(); o.paid && !c.now.Before(ship) {
		result["logistics_info_list"] = wrapped{key: logKey, items: []any{obj{
			"logistics_no":      o.mailNo(),
			"logistics_service": o.service.Code,
		}}}
	}
	return obj{"result": result}, nil
}

// --- ds.order.tracking.get -------------------------------------------------------------------------

// trackingSteps are the carrier events between dispatch (0) and delivery (1).
var trackingSteps = []struct {
	at         float64
	name, desc string
}{
	{0, "Picked up", "The parcel has been handed over to the carrier"},
	{0.08, "Departed sorting center", "Departed from the sorting center in the country of origin"},
	{0.25, "Departed country of origin", "Export customs clearance complete, departed from the country of origin"},
	{0.55, "Arrived at destination country", "Arrived in the destination country, import customs clearance in progress"},
	{0.85, "Out for delivery", "The parcel is out for delivery"},
	{1, "Delivered", "Delivered, thank you for shopping on AliExpress"},
}

// trackingNotFound is the answer before an order has shipped.
func trackingNotFound() obj {
	return obj{"result": obj{"ret": false, "code": "1001", "msg": "TRACKING DATA NOT FOUND"}}
}

// dsOrderTracking is ds.order.tracking.get: the carrier's events so far.
func (s *Sandbox) dsOrderTracking(c *call) (obj, *apiError) {
	id, e := c.idParam("ae_order_id")
	if e != nil {
		return nil, e
	}
	if c.param("language") == "" {
		return nil, missingParam("language")
	}
	if e := c.dsLanguage("language"); e != nil {
		return nil, isvError("UnsupportedParamMapping", "Unsupported or incorrect parameter: language")
	}
	o, e := s.orderFor(c.user, id, c.now)
	if e != nil || !o.paid {
		return trackingNotFound(), nil
	}
	ship, deliver, _ := o.timeline()
	if c.now.Before(ship) {
		return trackingNotFound(), nil
	}
	var nodes []any
	span := deliver.Sub(ship)
	for i := len(trackingSteps) - 1; i >= 0; i-- { // newest first, as carriers list them
		st := trackingSteps[i]
		at := ship.Add(time.Duration(float64(span) * st.at))
		if at.After(c.now) {
			continue
		}
		nodes = append(nodes, obj{"time_stamp": at.UnixMilli(), "tracking_name": st.name, "tracking_detail_desc": st.desc})
	}
	items := wrap("package_item", o.items, func(it orderItem) any {
		return obj{"item_id": it.productID, "sku_id": skuNumber(it.skuID), "sku_desc": it.desc, "quantity": it.count, "item_title": it.title}
	})
	detail := obj{
		"carrier_name":      o.service.Company,
		"mail_no":           o.mailNo(),
		"eta_time_stamps":   deliver.UnixMilli(),
		"detail_node_list":  wrapped{key: "detail_node", items: nodes},
		"package_item_list": items,
	}
	// A success carries empty code and msg, as the documentation's (live) sample does.
	return obj{"result": obj{
		"ret":  true,
		"code": "",
		"msg":  "",
		"data": obj{"tracking_detail_line_list": wrapped{key: "tracking_detail", items: []any{detail}}},
	}}, nil
}

// skuDesc writes a variant's values the way tracking's sku_desc shows them, as in the
// documentation's sample: "Color:Silvery; Size:M".
func skuDesc(v world.Variant) string {
	parts := make([]string, 0, len(v.Values))
	for _, vv := range v.Values {
		parts = append(parts, vv.PropertyName+":"+vv.ValueName)
	}
	return strings.Join(parts, "; ")
}

// BuyerStatus is the standing of a buyer account. ds.order.create refuses every order of an
// account that is not active, with the status as its error_code; the zero value is active.
type BuyerStatus string

// The standings the documentation names among ds.order.create's error codes.
const (
	BuyerActive             BuyerStatus = ""
	BuyerBlacklisted        BuyerStatus = "BLACKLIST_BUYER_IN_LIST"
	BuyerDisabled           BuyerStatus = "USER_ACCOUNT_DISABLED"
	BuyerSuspicious         BuyerStatus = "A003_SUSPICIOUS_BUYER"
	BuyerInvalidAccountInfo BuyerStatus = "A006_INVALID_ACCOUNT_INFO"
)

// buyerStatusMsg is the documentation's advice for every refused account.
const buyerStatusMsg = "The user ID status is abnormal. Please try to change the user to place the order."

// SetBuyerStatus sets the standing of the buyer account userNick (DefaultUserNick, or the nick a
// token was issued to). BuyerActive restores it.
func (s *Sandbox) SetBuyerStatus(userNick string, st BuyerStatus) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st == BuyerActive {
		delete(s.buyers, userNick)
		return
	}
	if s.buyers == nil {
		s.buyers = make(map[string]BuyerStatus)
	}
	s.buyers[userNick] = st
}

func (s *Sandbox) buyerStatus(userNick string) BuyerStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buyers[userNick]
}
