// H.248.1 error codes (Annex E.13 / IANA) that the gateway sends or acts on.
#pragma once

#include <cstdint>
#include <string_view>

namespace mediasec::h248::errors {

inline constexpr uint16_t kBadRequestFormat = 400;  // Syntax error in message
inline constexpr uint16_t kProtocolError = 401;
inline constexpr uint16_t kUnauthorized = 402;
inline constexpr uint16_t kSyntaxErrorInTransaction = 403;
inline constexpr uint16_t kVersionNotSupported = 406;
inline constexpr uint16_t kIncorrectIdentifier = 410;
inline constexpr uint16_t kUnknownContextId = 411;
inline constexpr uint16_t kNoContextIdsAvailable = 412;
inline constexpr uint16_t kNumberOfTransactionsPendingExceeded = 413;
inline constexpr uint16_t kUnknownAction = 421;
inline constexpr uint16_t kSyntaxErrorInAction = 422;
inline constexpr uint16_t kNoSuchTerminationId = 430;
inline constexpr uint16_t kNoTerminationIdMatchedWildcard = 431;
inline constexpr uint16_t kOutOfTerminationIds = 432;
inline constexpr uint16_t kTerminationIdAlreadyInContext = 433;
inline constexpr uint16_t kMaxTerminationsInContextExceeded = 434;
inline constexpr uint16_t kTerminationIdNotInContext = 435;
inline constexpr uint16_t kUnsupportedOrUnknownPackage = 440;
inline constexpr uint16_t kMissingRemoteOrLocalDescriptor = 441;
inline constexpr uint16_t kSyntaxErrorInCommand = 442;
inline constexpr uint16_t kUnsupportedOrUnknownCommand = 443;
inline constexpr uint16_t kUnsupportedOrUnknownDescriptor = 444;
inline constexpr uint16_t kUnsupportedOrUnknownProperty = 445;
inline constexpr uint16_t kUnsupportedOrUnknownParameter = 446;
inline constexpr uint16_t kDescriptorNotLegalInCommand = 447;
inline constexpr uint16_t kDescriptorAppearsTwice = 448;
inline constexpr uint16_t kUnsupportedParameterValue = 449;
inline constexpr uint16_t kNoSuchPropertyInPackage = 450;
inline constexpr uint16_t kNoSuchEventInPackage = 451;
inline constexpr uint16_t kNoSuchSignalInPackage = 452;
inline constexpr uint16_t kNoSuchStatisticInPackage = 453;
inline constexpr uint16_t kNoSuchParameterValueInPackage = 454;
inline constexpr uint16_t kPropertyIllegalInDescriptor = 455;
inline constexpr uint16_t kPropertyAppearsTwice = 456;
inline constexpr uint16_t kMissingParameter = 457;
inline constexpr uint16_t kUnsupportedOrUnknownProfile = 472;
inline constexpr uint16_t kConflictingPropertyValues = 473;
inline constexpr uint16_t kInvalidSdpSyntax = 474;
inline constexpr uint16_t kUnsupportedLocalControlProperty = 475;  // not registered: see docs
inline constexpr uint16_t kInternalSoftwareFailure = 500;
inline constexpr uint16_t kNotImplemented = 501;
inline constexpr uint16_t kNotReady = 502;
inline constexpr uint16_t kServiceUnavailable = 503;
inline constexpr uint16_t kCommandReceivedFromUnauthorizedEntity = 504;
inline constexpr uint16_t kTransactionRequestReceivedBeforeServiceChangeReply = 505;
inline constexpr uint16_t kNumberOfTransactionPendingsExceeded = 506;
inline constexpr uint16_t kInsufficientResources = 510;
inline constexpr uint16_t kResponseExceedsMaximumPduSize = 533;  // Response exceeds maximum transport PDU size
inline constexpr uint16_t kIncorrectStreamEndpointInterlinkage = 488;

// The standard short text for a code ("Syntax Error in Message"), or "" if we do not know it.
std::string_view text(uint16_t code);

}  // namespace mediasec::h248::errors
