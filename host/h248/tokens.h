// The keywords of the H.248.1 text encoding (Annex B), each with its long ("pretty") and short
// ("compact") spelling. Keywords are case-insensitive; the decoder accepts either spelling
// anywhere, the encoder writes the form it is asked for.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace mediasec::h248 {

// X(enumerator, pretty, compact)
#define MEDIASEC_H248_TOKENS(X)                            \
  X(Add, "Add", "A")                                       \
  X(AndAuditSelect, "ANDLgc", "ANDLgc")                    \
  X(Audit, "Audit", "AT")                                  \
  X(AuditCapability, "AuditCapability", "AC")              \
  X(AuditValue, "AuditValue", "AV")                        \
  X(Authentication, "Authentication", "AU")                \
  X(Both, "Both", "B")                                     \
  X(Bothway, "Bothway", "BW")                              \
  X(Brief, "Brief", "BR")                                  \
  X(Buffer, "Buffer", "BF")                                \
  X(Context, "Context", "C")                               \
  X(ContextAudit, "ContextAudit", "CA")                    \
  X(ContextAttr, "ContextAttr", "CT")                      \
  X(ContextList, "ContextList", "CLT")                     \
  X(DigitMap, "DigitMap", "DM")                            \
  X(Direction, "SPADirection", "SPADI")                    \
  X(Discard, "Discard", "DS")                              \
  X(Disconnected, "Disconnected", "DC")                    \
  X(Delay, "Delay", "DL")                                  \
  X(Duration, "Duration", "DR")                            \
  X(Embed, "Embed", "EM")                                  \
  X(Emergency, "Emergency", "EG")                          \
  X(EmergencyOff, "EmergencyOff", "EGO")                   \
  X(EmergencyValue, "EmergencyValue", "EGV")               \
  X(Error, "Error", "ER")                                  \
  X(EventBuffer, "EventBuffer", "EB")                      \
  X(Events, "Events", "E")                                 \
  X(External, "External", "EX")                            \
  X(Failover, "Failover", "FL")                            \
  X(Forced, "Forced", "FO")                                \
  X(Graceful, "Graceful", "GR")                            \
  X(H221, "H221", "H221")                                  \
  X(H223, "H223", "H223")                                  \
  X(H226, "H226", "H226")                                  \
  X(HandOff, "HandOff", "HO")                              \
  X(IepsCall, "IEPSCall", "IEPS")                          \
  X(ImmAckRequired, "ImmAckRequired", "IA")                \
  X(Inactive, "Inactive", "IN")                            \
  X(Internal, "Internal", "IT")                            \
  X(IntersignalDelay, "Intersignal", "SPAIS")              \
  X(IntByEvent, "IntByEvent", "IBE")                       \
  X(IntBySigDescr, "IntBySigDescr", "IBS")                 \
  X(Isolate, "Isolate", "IS")                              \
  X(InService, "InService", "IV")                          \
  X(Iteration, "Iteration", "IR")                          \
  X(KeepActive, "KeepActive", "KA")                        \
  X(Local, "Local", "L")                                   \
  X(LocalControl, "LocalControl", "O")                     \
  X(LockStep, "LockStep", "SP")                            \
  X(Loopback, "Loopback", "LB")                            \
  X(Media, "Media", "M")                                   \
  X(Megacop, "MEGACO", "!")                                \
  X(Segment, "Segment", "SM")                              \
  X(Method, "Method", "MT")                                \
  X(MgcIdToTry, "MgcIdToTry", "MG")                        \
  X(Mode, "Mode", "MO")                                    \
  X(Modify, "Modify", "MF")                                \
  X(Modem, "Modem", "MD")                                  \
  X(Move, "Move", "MV")                                    \
  X(Mtp, "MTP", "MTP")                                     \
  X(Mux, "Mux", "MX")                                      \
  X(NeverNotify, "NeverNotify", "NBNN")                    \
  X(Notify, "Notify", "N")                                 \
  X(NotifyCompletion, "NotifyCompletion", "NC")            \
  X(ImmediateNotify, "ImmediateNotify", "NBIN")            \
  X(RegulatedNotify, "RegulatedNotify", "NBRN")            \
  X(Nx64Kservice, "Nx64Kservice", "N64")                   \
  X(ObservedEvents, "ObservedEvents", "OE")                \
  X(Off, "OFF", "OFF")                                     \
  X(Oneway, "Oneway", "OW")                                \
  X(OnewayBoth, "OnewayBoth", "OWB")                       \
  X(OnewayExternal, "OnewayExternal", "OWE")               \
  X(OnOff, "OnOff", "OO")                                  \
  X(OrAuditSelect, "ORLgc", "ORLgc")                       \
  X(On, "ON", "ON")                                        \
  X(OtherReason, "OtherReason", "OR")                      \
  X(OutOfService, "OutOfService", "OS")                    \
  X(Packages, "Packages", "PG")                            \
  X(Pending, "Pending", "PN")                              \
  X(Priority, "Priority", "PR")                            \
  X(Profile, "Profile", "PF")                              \
  X(Reason, "Reason", "RE")                                \
  X(ReceiveOnly, "ReceiveOnly", "RC")                      \
  X(Reply, "Reply", "P")                                   \
  X(ResetEventsDescriptor, "ResetEventsDescriptor", "RSE") \
  X(Restart, "Restart", "RS")                              \
  X(Remote, "Remote", "R")                                 \
  X(RequestId, "SPARequestID", "SPARQ")                    \
  X(ReservedGroup, "ReservedGroup", "RG")                  \
  X(ReservedValue, "ReservedValue", "RV")                  \
  X(SegmentationComplete, "END", "&")                      \
  X(SendOnly, "SendOnly", "SO")                            \
  X(SendReceive, "SendReceive", "SR")                      \
  X(Services, "Services", "SV")                            \
  X(ServiceStates, "ServiceStates", "SI")                  \
  X(ServiceChange, "ServiceChange", "SC")                  \
  X(ServiceChangeAddress, "ServiceChangeAddress", "AD")    \
  X(ServiceChangeIncomplete, "ServiceChangeInc", "SIC")    \
  X(SignalList, "SignalList", "SL")                        \
  X(Signals, "Signals", "SG")                              \
  X(SignalType, "SignalType", "SY")                        \
  X(Statistics, "Statistics", "SA")                        \
  X(Stream, "Stream", "ST")                                \
  X(Subtract, "Subtract", "S")                             \
  X(SynchIsdn, "SynchISDN", "SN")                          \
  X(TerminationState, "TerminationState", "TS")            \
  X(Test, "Test", "TE")                                    \
  X(TimeOut, "TimeOut", "TO")                              \
  X(Topology, "Topology", "TP")                            \
  X(Transaction, "Transaction", "T")                       \
  X(TransactionResponseAck, "TransactionResponseAck", "K") \
  X(V18, "V18", "V18")                                     \
  X(V22, "V22", "V22")                                     \
  X(V22bis, "V22b", "V22b")                                \
  X(V32, "V32", "V32")                                     \
  X(V32bis, "V32b", "V32b")                                \
  X(V34, "V34", "V34")                                     \
  X(V76, "V76", "V76")                                     \
  X(V90, "V90", "V90")                                     \
  X(V91, "V91", "V91")                                     \
  X(Version, "Version", "V")

enum class Token : uint8_t {
#define MEDIASEC_H248_ENUM(name, pretty, compact) k##name,
  MEDIASEC_H248_TOKENS(MEDIASEC_H248_ENUM)
#undef MEDIASEC_H248_ENUM
};

enum class Form : uint8_t { kCompact, kPretty };

// The keyword a word spells (either form, any case), if any. "EmergencyOffToken" (a v2 spelling)
// is accepted as EmergencyOff.
std::optional<Token> lookup_token(std::string_view word);

std::string_view spelling(Token token, Form form);

}  // namespace mediasec::h248
