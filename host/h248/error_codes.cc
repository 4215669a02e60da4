#include "host/h248/error_codes.h"

namespace mediasec::h248::errors {

std::string_view text(uint16_t code) {
  switch (code) {
    case kBadRequestFormat: return "Syntax Error in Message";
    case kProtocolError: return "Protocol Error";
    case kUnauthorized: return "Unauthorized";
    case kSyntaxErrorInTransaction: return "Syntax Error in TransactionRequest";
    case kVersionNotSupported: return "Version Not Supported";
    case kIncorrectIdentifier: return "Incorrect identifier";
    case kUnknownContextId: return "The transaction refers to an unknown ContextID";
    case kNoContextIdsAvailable: return "No ContextIDs available";
    case kNumberOfTransactionsPendingExceeded: return "Number of transactions in message exceeds maximum";
    case kUnknownAction: return "Unknown action or illegal combination of actions";
    case kSyntaxErrorInAction: return "Syntax Error in Action";
    case kNoSuchTerminationId: return "Unknown TerminationID";
    case kNoTerminationIdMatchedWildcard: return "No TerminationID matched a wildcard";
    case kOutOfTerminationIds: return "Out of TerminationIDs or No TerminationID available";
    case kTerminationIdAlreadyInContext: return "TerminationID is already in a Context";
    case kMaxTerminationsInContextExceeded: return "Max number of Terminations in a Context exceeded";
    case kTerminationIdNotInContext: return "Termination ID is not in specified Context";
    case kUnsupportedOrUnknownPackage: return "Unsupported or unknown Package";
    case kMissingRemoteOrLocalDescriptor: return "Missing Remote or Local Descriptor";
    case kSyntaxErrorInCommand: return "Syntax Error in Command";
    case kUnsupportedOrUnknownCommand: return "Unsupported or Unknown Command";
    case kUnsupportedOrUnknownDescriptor: return "Unsupported or Unknown Descriptor";
    case kUnsupportedOrUnknownProperty: return "Unsupported or Unknown Property";
    case kUnsupportedOrUnknownParameter: return "Unsupported or Unknown Parameter";
    case kDescriptorNotLegalInCommand: return "Descriptor not legal in this command";
    case kDescriptorAppearsTwice: return "Descriptor appears twice in a command";
    case kUnsupportedParameterValue: return "Unsupported or Unknown Parameter or Property Value";
    case kNoSuchPropertyInPackage: return "No such property in this package";
    case kNoSuchEventInPackage: return "No such event in this package";
    case kNoSuchSignalInPackage: return "No such signal in this package";
    case kNoSuchStatisticInPackage: return "No such statistic in this package";
    case kNoSuchParameterValueInPackage: return "No such parameter value in this package";
    case kPropertyIllegalInDescriptor: return "Property illegal in this Descriptor";
    case kPropertyAppearsTwice: return "Property appears twice in this Descriptor";
    case kMissingParameter: return "Missing parameter in signal or event";
    case kUnsupportedOrUnknownProfile: return "Unsupported or Unknown Profile";
    case kConflictingPropertyValues: return "Conflicting property values";
    case kInvalidSdpSyntax: return "Invalid SDP Syntax";
    case kIncorrectStreamEndpointInterlinkage: return "Incorrect stream endpoint interlinkage";
    case kInternalSoftwareFailure: return "Internal software Failure in MG";
    case kNotImplemented: return "Not Implemented";
    case kNotReady: return "Not ready";
    case kServiceUnavailable: return "Service Unavailable";
    case kCommandReceivedFromUnauthorizedEntity: return "Command Received from unauthorized entity";
    case kTransactionRequestReceivedBeforeServiceChangeReply:
      return "TransactionRequest Received before a ServiceChange Reply has been received";
    case kNumberOfTransactionPendingsExceeded: return "Number of Transaction Pendings Exceeded";
    case kInsufficientResources: return "Insufficient resources";
    case kResponseExceedsMaximumPduSize: return "Response exceeds maximum transport PDU size";
    default: return "";
  }
}

}  // namespace mediasec::h248::errors
