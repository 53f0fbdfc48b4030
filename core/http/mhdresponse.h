#pragma once

// Internal to http/: the one place an HttpResponse becomes a libmicrohttpd response.
#include "httpresponse.h"

#include <QLoggingCategory>

#include <atomic>
#include <memory>

struct MHD_Response;

Q_DECLARE_LOGGING_CATEGORY(lcHttp)

namespace starling::http {

// A new libmicrohttpd response (the caller queues and destroys it), or nullptr when the
// response cannot be sent as given: a status outside 100..599, a header libmicrohttpd refuses (a
// newline in it, a Content-Length of our own, ...), a bad range or stream, a file that will not
// open. For a stream body, `streamed` (if given) receives the counter of bytes its reader
// produced.
MHD_Response *toMhdResponse(const HttpResponse &response,
                            std::shared_ptr<std::atomic<qint64>> *streamed);

} // namespace starling::http
