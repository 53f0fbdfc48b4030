#pragma once

#include "labplan.h"
#include "util/expected.h"

#include <QString>

namespace starling::cli::lab {

// `starling lab up --tls`: a throw-away CA (tls::ThrowAwayCa) signs a certificate for every
// lab address and 127.0.0.1, written to RUN_DIR/lab-tls (key 0600) with a copy of the cluster
// config that names them, so the lab's cluster speaks TLS and its state file pins the key and
// names the CA. `lab down` removes the directory.
class LabTls
{
public:
    static QString directoryIn(const QString &runDir);
    // The config path to start the cluster with: `userConfig` (may be empty) plus tls_cert,
    // tls_key and tls_ca.
    static Expected<QString> prepare(const LabPlan &plan, const QString &runDir,
                                     const QString &userConfig);
    // Idempotent; false if the directory is still there.
    static bool remove(const QString &runDir);
};

} // namespace starling::cli::lab
