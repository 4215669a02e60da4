%% What both megaco MGC peers (mgc_peer, mgc_script) answer to the MG's requests, and how they
%% name what the MG sent: ServiceChange is accepted with version 3, Notify acknowledged, anything
%% else refused with 501.
-module(mgc_replies).

-include_lib("megaco/include/megaco.hrl").
-include_lib("megaco/include/megaco_message_v3.hrl").

-export([reply_for/1, profile/1, tid/1]).

reply_for(#'ActionRequest'{contextId = Ctx, commandRequests = Cmds}) ->
    #'ActionReply'{contextId = Ctx, commandReply = [command_reply(C) || C <- Cmds]}.

command_reply(#'CommandRequest'{command = {serviceChangeReq, #'ServiceChangeRequest'{terminationID = T}}}) ->
    {serviceChangeReply, #'ServiceChangeReply'{
                            terminationID = T,
                            serviceChangeResult = {serviceChangeResParms, #'ServiceChangeResParm'{serviceChangeVersion = 3}}}};
command_reply(#'CommandRequest'{command = {notifyReq, #'NotifyRequest'{terminationID = T}}}) ->
    {notifyReply, #'NotifyReply'{terminationID = T}};
command_reply(_) ->
    {notifyReply, #'NotifyReply'{terminationID = [?megaco_root_termination_id],
                                 errorDescriptor = #'ErrorDescriptor'{errorCode = 501}}}.

%% The profile a ServiceChange announces ("none" without one).
profile(#'ServiceChangeProfile'{profileName = N}) -> N;
profile(_) -> "none".

%% A termination ID as text: "tls/1".
tid(#megaco_term_id{id = Id}) -> string:join(Id, "/").
