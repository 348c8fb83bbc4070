package sigv4

import (
	"fmt"
	"net/http"
)

// Kind says why a request failed authentication. Each kind maps to one AWS error code and
// HTTP status per wire protocol (see Wire); the message is carried by the Error.
type Kind int

const (
	// KindMissingAuthentication: no Authorization header and no presigned query
	// parameters, or a presigned URL whose X-Amz-Algorithm is not AWS4-HMAC-SHA256.
	KindMissingAuthentication Kind = iota + 1
	// KindIncompleteSignature: the Authorization header or the X-Amz-* query parameters
	// are malformed or incomplete (missing Credential, bad date, unsupported algorithm,
	// credential without five elements, X-Amz-Expires out of bounds, ...).
	KindIncompleteSignature
	// KindHostNotSigned: "host" is not among the signed headers.
	KindHostNotSigned
	// KindInvalidCredentialScope: the credential scope's terminator, date, Region or
	// service is wrong.
	KindInvalidCredentialScope
	// KindRequestTimeTooSkewed: the request time is more than MaxSkew away from the
	// server's clock ("Signature expired" / "Signature not yet current").
	KindRequestTimeTooSkewed
	// KindPresignedURLExpired: a presigned URL is used after X-Amz-Date + X-Amz-Expires.
	KindPresignedURLExpired
	// KindSignatureMismatch: the signature does not match the one computed from the
	// request and the secret key.
	KindSignatureMismatch
	// KindPayloadHashMismatch: X-Amz-Content-Sha256 is not a SHA-256 hex digest nor
	// UNSIGNED-PAYLOAD, or does not match the body.
	KindPayloadHashMismatch
	// KindUnknownAccessKey: the access key ID is not known. Raised by the gateway, which
	// owns the credential store; declared here so every authentication error maps to the
	// wire in one place.
	KindUnknownAccessKey
	// KindInvalidSecurityToken: the session token does not belong to the access key, or is
	// malformed. Raised by the gateway.
	KindInvalidSecurityToken
	// KindExpiredSecurityToken: the temporary credentials have expired. Raised by the
	// gateway.
	KindExpiredSecurityToken
)

var kindNames = [...]string{
	KindMissingAuthentication:  "missing authentication",
	KindIncompleteSignature:    "incomplete signature",
	KindHostNotSigned:          "host not signed",
	KindInvalidCredentialScope: "invalid credential scope",
	KindRequestTimeTooSkewed:   "request time too skewed",
	KindPresignedURLExpired:    "presigned URL expired",
	KindSignatureMismatch:      "signature mismatch",
	KindPayloadHashMismatch:    "payload hash mismatch",
	KindUnknownAccessKey:       "unknown access key",
	KindInvalidSecurityToken:   "invalid security token",
	KindExpiredSecurityToken:   "expired security token",
}

func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Error is an authentication failure. Message is AWS's text for it; Wire gives the code,
// status and message to send in a given protocol.
type Error struct {
	Kind    Kind
	Message string
	// CanonicalRequest and StringToSign are what the server computed, set for
	// KindSignatureMismatch. AWS quotes both in its SignatureDoesNotMatch and
	// InvalidSignatureException messages so that authors of hand-written signers can diff
	// them against their own; Wire does the same.
	CanonicalRequest string
	StringToSign     string
}

func (e *Error) Error() string { return "sigv4: " + e.Kind.String() + ": " + e.Message }

// Protocol is an AWS wire protocol family. The values are the "protocol" strings of the
// service models' metadata, so the gateway can convert a model's protocol directly.
type Protocol string

const (
	// ProtocolQuery is awsQuery (STS, IAM, RDS): form-encoded input, XML errors.
	ProtocolQuery Protocol = "query"
	// ProtocolJSON is awsJson1.0/1.1 (KMS, Secrets Manager): errors carry __type.
	ProtocolJSON Protocol = "json"
	// ProtocolRESTJSON is restJson1 (AWS Backup): errors carry x-amzn-ErrorType.
	ProtocolRESTJSON Protocol = "rest-json"
	// ProtocolEC2 is EC2's query dialect: XML errors under <Response><Errors>, and
	// authentication codes of its own.
	ProtocolEC2 Protocol = "ec2"
)

// wire is one AWS error code and its HTTP status.
type wire struct {
	code   string
	status int
}

// wireCodes maps each Kind to the code and status AWS answers, per protocol family.
//
// Sources, by family:
//
//   - query (STS, IAM, RDS). The "Common Errors" pages of the IAM, STS and RDS API
//     references list IncompleteSignature 400, InvalidClientTokenId 403,
//     MissingAuthenticationToken 403, RequestExpired 400 ("more than 15 minutes after the
//     request expiration date (such as for pre-signed URLs)") and ExpiredToken 403.
//     Observed STS answers: MissingAuthenticationToken 403 "Request is missing
//     Authentication Token" (cert-manager/aws-privateca-issuer#40), SignatureDoesNotMatch
//     for a wrong key and for "Signature expired: ..." on AssumeRole
//     (devsecops/bootcamp#101, boto/boto3#756), InvalidClientTokenId for an unknown key
//     (leeroybrun/glacier-vault-remove#51). The AWS SigV4 troubleshooting guide names
//     "HTTP 403 SignatureDoesNotMatch". moto (moto/core/exceptions.py) uses the same codes
//     and statuses, and versitygw's IAM (iamerr) observed credential-scope and
//     "'Host' or ':authority' must be a 'SignedHeader'" failures as SignatureDoesNotMatch.
//   - json (awsJson 1.0/1.1: KMS, Secrets Manager, DynamoDB, ECR, Cognito). Every
//     authentication error is a 400 with an -Exception code: InvalidSignatureException
//     400 for mismatches and "Signature expired" (aws/aws-sdk-js#254, #284,
//     teralytics/prometheus-ecs-discovery#7, boto/botocore#3587 for Secrets Manager),
//     UnrecognizedClientException 400 (aws/aws-sdk-php#1114 ECR, boto/boto3#509 DynamoDB),
//     IncompleteSignatureException 400 (iann0036/cloud9-sync#10),
//     MissingAuthenticationTokenException 400 (architect/dynalite index.js, which
//     reproduces DynamoDB; architect/dynalite#105). dynalite also records that scope,
//     host and date failures are InvalidSignatureException.
//   - rest-json (restJson1: AWS Backup, Lambda, CodeArtifact). The same codes as json but
//     with 403: UnrecognizedClientException 403 (iann0036/iamlive#58, Lambda),
//     InvalidSignatureException 403 (aws/aws-sdk-kotlin#1217, CodeArtifact; Glacier in
//     uskudnik/amazon-glacier-cmd-interface#103), MissingAuthenticationTokenException
//     403 "Missing Authentication Token" (brefphp/bref#1250, Lambda). The newer
//     "Common Errors" pages of REST services (Lambda, Signer) list IncompleteSignature
//     403; AWS Backup's page still has the older generic list, with 400.
//   - ec2. EC2 answers every credential it cannot validate — an unknown access key, a
//     wrong secret (a signature that does not match), a malformed credential scope — with
//     AuthFailure 401 "AWS was not able to validate the provided access credentials"
//     (ansible/ansible#5647 shows the whole body; aws/aws-sdk-java#2508 the 401;
//     aws/aws-sdk-java-v2#2981 a bad scope). A request signed too long ago, expired
//     temporary credentials and an expired presigned URL are RequestExpired 400
//     "Request has expired." (boto/boto#148, aws/aws-sdk-java#1443, 99designs/aws-vault#394
//     for expired credentials, test-kitchen/kitchen-ec2#326 for a skewed clock). EC2's
//     error-code reference lists MissingAuthenticationToken and IncompleteSignature.
//
// Not confirmed by an observed answer, chosen by analogy (and noted where used):
// KindPresignedURLExpired for json/rest-json (no presigned URLs are used with those
// services in practice), KindPayloadHashMismatch (S3 alone documents
// XAmzContentSHA256Mismatch; the other services only see a signature that cannot match),
// the ExpiredTokenException status for json (400, like every other awsJson
// authentication error), the MissingAuthenticationTokenException status for Secrets
// Manager and KMS (400 as DynamoDB; only Secrets Manager's message was observed), and
// EC2's statuses for MissingAuthenticationToken (401, as its other authentication
// failures) and IncompleteSignature (400, as the query services).
var wireCodes = map[Kind][4]wire{ // [query, json, rest-json, ec2]
	KindMissingAuthentication: {
		{"MissingAuthenticationToken", http.StatusForbidden},
		{"MissingAuthenticationTokenException", http.StatusBadRequest},
		{"MissingAuthenticationTokenException", http.StatusForbidden},
		{"MissingAuthenticationToken", http.StatusUnauthorized},
	},
	KindIncompleteSignature: {
		{"IncompleteSignature", http.StatusBadRequest},
		{"IncompleteSignatureException", http.StatusBadRequest},
		{"IncompleteSignatureException", http.StatusForbidden},
		{"IncompleteSignature", http.StatusBadRequest},
	},
	KindHostNotSigned:          mismatchCodes,
	KindInvalidCredentialScope: mismatchCodes,
	KindRequestTimeTooSkewed: {
		mismatchCodes[0], mismatchCodes[1], mismatchCodes[2],
		ec2Expired,
	},
	KindPresignedURLExpired: {
		{"RequestExpired", http.StatusBadRequest},
		{"InvalidSignatureException", http.StatusBadRequest},
		{"InvalidSignatureException", http.StatusForbidden},
		ec2Expired,
	},
	KindSignatureMismatch:    mismatchCodes,
	KindPayloadHashMismatch:  mismatchCodes,
	KindUnknownAccessKey:     invalidTokenCodes,
	KindInvalidSecurityToken: invalidTokenCodes,
	KindExpiredSecurityToken: {
		{"ExpiredToken", http.StatusForbidden},
		{"ExpiredTokenException", http.StatusBadRequest},
		{"ExpiredTokenException", http.StatusForbidden},
		ec2Expired,
	},
}

var mismatchCodes = [4]wire{
	{"SignatureDoesNotMatch", http.StatusForbidden},
	{"InvalidSignatureException", http.StatusBadRequest},
	{"InvalidSignatureException", http.StatusForbidden},
	ec2AuthFailure,
}

var invalidTokenCodes = [4]wire{
	{"InvalidClientTokenId", http.StatusForbidden},
	{"UnrecognizedClientException", http.StatusBadRequest},
	{"UnrecognizedClientException", http.StatusForbidden},
	ec2AuthFailure,
}

var (
	ec2AuthFailure = wire{codeAuthFailure, http.StatusUnauthorized}
	ec2Expired     = wire{codeRequestExpired, http.StatusBadRequest}
)

const (
	codeAuthFailure    = "AuthFailure"
	codeRequestExpired = "RequestExpired"
)

// protocolIndex picks the column of wireCodes. A protocol this package does not know is
// answered as json: every service xregion serves is query, json, rest-json or ec2, and
// json's codes are the generic Coral ones.
func protocolIndex(p Protocol) int {
	switch p {
	case ProtocolQuery:
		return 0
	case ProtocolRESTJSON:
		return 2
	case ProtocolEC2:
		return 3
	}
	return 1
}

// Code returns the AWS error code and HTTP status for kind k in protocol p.
func Code(k Kind, p Protocol) (code string, status int) {
	w, ok := wireCodes[k]
	if !ok {
		// An unknown kind is a programming error; answer as a signature failure rather
		// than let an unauthenticated request through as a 500 that clients retry.
		w = mismatchCodes
	}
	c := w[protocolIndex(p)]
	return c.code, c.status
}

// Wire returns the code, HTTP status and message AWS sends for e in protocol p.
func (e *Error) Wire(p Protocol) (code string, status int, message string) {
	code, status = Code(e.Kind, p)
	message = e.Message
	switch {
	case p == ProtocolEC2 && code == codeAuthFailure:
		// EC2 says the same whatever failed, and quotes no canonical request.
		message = msgAuthFailure
	case p == ProtocolEC2 && code == codeRequestExpired:
		message = msgPresignExpired
	case e.Kind == KindMissingAuthentication && p != ProtocolQuery && p != ProtocolEC2 && message == msgMissingAuthQuery:
		// The one message AWS words differently per family: query services (STS, IAM,
		// and EC2 with them) and DynamoDB say "Request is missing Authentication Token", Secrets Manager
		// and the REST services "Missing Authentication Token" (aws/aws-sdk-cpp#2466,
		// brefphp/bref#1250). The JSON services served here behave like Secrets Manager.
		message = msgMissingAuthJSON
	case e.Kind == KindSignatureMismatch && e.CanonicalRequest != "":
		// Format of STS (boto/boto3#756), Lambda (aws/aws-sdk-js#168) and DynamoDB
		// (architect/dynalite index.js).
		message += "\n\nThe Canonical String for this request should have been\n'" + e.CanonicalRequest +
			"'\n\nThe String-to-Sign should have been\n'" + e.StringToSign + "'\n"
	}
	return code, status, message
}

// Messages. Where AWS quotes the request they are built at the point of failure.
const (
	msgMissingAuthQuery = "Request is missing Authentication Token"
	msgMissingAuthJSON  = "Missing Authentication Token"
	msgMismatch         = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgHostNotSigned = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
	// S3's text for an expired presigned URL ("Request has expired"); EC2 and the Common
	// Errors pages use the code RequestExpired for the same condition.
	msgPresignExpired = "Request has expired."
	msgInvalidToken   = "The security token included in the request is invalid."
	msgAuthFailure    = "AWS was not able to validate the provided access credentials"
	msgExpiredToken   = "The security token included in the request is expired"
)

func newError(k Kind, msg string) *Error { return &Error{Kind: k, Message: msg} }

func incomplete(format string, args ...any) *Error {
	if len(args) > 0 {
		format = fmt.Sprintf(format, args...)
	}
	return newError(KindIncompleteSignature, format)
}

// UnknownAccessKey is the error for an access key ID the gateway does not know. AWS words
// it as a bad token for both access keys and session tokens.
func UnknownAccessKey() *Error { return newError(KindUnknownAccessKey, msgInvalidToken) }

// InvalidSecurityToken is the error for a session token that does not match its access
// key.
func InvalidSecurityToken() *Error { return newError(KindInvalidSecurityToken, msgInvalidToken) }

// ExpiredSecurityToken is the error for temporary credentials past their expiration.
func ExpiredSecurityToken() *Error { return newError(KindExpiredSecurityToken, msgExpiredToken) }

// WrongRegion is the error for a credential scope naming a Region the gateway does not
// serve (text as recorded by architect/dynalite and dacut/scratchstack-aws-signature).
func WrongRegion(region string) *Error {
	return newError(KindInvalidCredentialScope,
		fmt.Sprintf("Credential should be scoped to a valid region, not '%s'.", region))
}

// WrongService is the error for a credential scope naming another service than the one
// the request is routed to; expected is the service's signing name.
func WrongService(expected string) *Error {
	return newError(KindInvalidCredentialScope,
		fmt.Sprintf("Credential should be scoped to correct service: '%s'.", expected))
}
