#pragma once

// A real Prometheus of the test's own (Debian's prometheus package) for live tests (issue 17):
// its own config, rules and data in a temporary directory, on a free loopback port, scraping
// and evaluating every second; stopped by its pid, and its directory removed, when the object
// goes (also when a test fails midway). Never the system's instance on :9090. Header-only.
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include <csignal>
#include <optional>

namespace starling::testing {

class PrometheusInstance
{
public:
    PrometheusInstance() = default;
    ~PrometheusInstance() { stop(); }
    PrometheusInstance(const PrometheusInstance &) = delete;
    PrometheusInstance &operator=(const PrometheusInstance &) = delete;

    // Starts prometheus scraping `target` ("127.0.0.1:41236") under job="starling" with
    // `rulesFile` loaded; waits until it is ready. A port taken between choosing it and
    // prometheus binding it gets one retry on another. Empty on success, else why not.
    QString start(const QString &binary, const QString &target, const QString &rulesFile)
    {
        if (binary.isEmpty() || !QFile::exists(binary))
            return QStringLiteral("prometheus not found: install the Debian package prometheus "
                                  "(make deps)");
        if (!m_dir.isValid())
            return QStringLiteral("no temporary directory");
        if (!writeConfig(target, rulesFile))
            return QStringLiteral("cannot write %1").arg(path("prometheus.yml"));
        m_binary = binary;
        QString why;
        for (int attempt = 0; attempt < 2; ++attempt) {
            why = launch();
            if (why.isEmpty())
                return {};
            stop();
        }
        return why + QStringLiteral("; its log: ") + log();
    }

    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        const qint64 pid = m_process.processId();
        if (pid > 0)
            ::kill(pid_t(pid), SIGTERM);
        if (!m_process.waitForFinished(10000) && pid > 0) {
            ::kill(pid_t(pid), SIGKILL);
            m_process.waitForFinished(5000);
        }
    }

    qint64 pid() const { return m_process.processId(); }
    quint16 port() const { return m_port; }
    QString log() const
    {
        QFile file(path("prometheus.log"));
        return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll().right(4000))
                                              : QString();
    }

    // GET on its HTTP API; the "data" member of a successful answer, nullopt otherwise.
    std::optional<QJsonValue> api(const QString &path, const QUrlQuery &query = {})
    {
        QUrl url(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(path));
        url.setQuery(query);
        const std::optional<QByteArray> body = get(url);
        if (!body)
            return std::nullopt;
        const QJsonObject answer = QJsonDocument::fromJson(*body).object();
        if (answer.value(QLatin1String("status")).toString() != QLatin1String("success"))
            return std::nullopt;
        return answer.value(QLatin1String("data"));
    }

    // The instant vector of `promql` now (empty when none, or on any error).
    QJsonArray query(const QString &promql)
    {
        QUrlQuery q;
        q.addQueryItem(QStringLiteral("query"), promql);
        const std::optional<QJsonValue> data = api(QStringLiteral("/api/v1/query"), q);
        return data ? data->toObject().value(QLatin1String("result")).toArray() : QJsonArray();
    }

    // The state ("pending", "firing") of alert `name` whose label node is `node`; "" if none.
    QString alertState(const QString &name, const QString &node)
    {
        const std::optional<QJsonValue> data = api(QStringLiteral("/api/v1/alerts"));
        if (!data)
            return QStringLiteral("no answer");
        for (const QJsonValue &alert : data->toObject().value(QLatin1String("alerts")).toArray()) {
            const QJsonObject labels = alert.toObject().value(QLatin1String("labels")).toObject();
            if (labels.value(QLatin1String("alertname")).toString() == name &&
                labels.value(QLatin1String("node")).toString() == node)
                return alert.toObject().value(QLatin1String("state")).toString();
        }
        return {};
    }

private:
    QString path(const char *name) const { return m_dir.filePath(QString::fromLatin1(name)); }

    bool writeConfig(const QString &target, const QString &rulesFile)
    {
        QFile config(path("prometheus.yml"));
        if (!config.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return false;
        config.write(QStringLiteral("global:\n"
                                    "  scrape_interval: 1s\n"
                                    "  evaluation_interval: 1s\n"
                                    "rule_files:\n"
                                    "  - '%1'\n"
                                    "scrape_configs:\n"
                                    "  - job_name: starling\n"
                                    "    static_configs:\n"
                                    "      - targets: ['%2']\n")
                         .arg(rulesFile, target)
                         .toUtf8());
        return true;
    }

    static quint16 freePort()
    {
        QTcpServer probe;
        if (!probe.listen(QHostAddress::LocalHost, 0))
            return 0;
        const quint16 port = probe.serverPort();
        probe.close();
        return port;
    }

    // Starts it on a free port and waits (30 s at most) for /-/ready; empty when ready.
    QString launch()
    {
        m_port = freePort();
        if (m_port == 0)
            return QStringLiteral("no free loopback port");
        m_process.setStandardOutputFile(path("prometheus.log"), QIODevice::Append);
        m_process.setStandardErrorFile(path("prometheus.log"), QIODevice::Append);
        m_process.start(m_binary,
                        {QStringLiteral("--config.file=") + path("prometheus.yml"),
                         QStringLiteral("--storage.tsdb.path=") + path("data"),
                         QStringLiteral("--web.listen-address=127.0.0.1:%1").arg(m_port)});
        if (!m_process.waitForStarted(10000))
            return QStringLiteral("cannot start %1: %2").arg(m_binary, m_process.errorString());
        QElapsedTimer clock;
        clock.start();
        const QUrl ready(QStringLiteral("http://127.0.0.1:%1/-/ready").arg(m_port));
        while (clock.elapsed() < 30000) {
            // Exited: most likely the port was taken after freePort() closed it.
            if (m_process.state() == QProcess::NotRunning)
                return QStringLiteral("prometheus exited with %1").arg(m_process.exitCode());
            if (get(ready))
                return {};
            QTest::qWait(100);
        }
        return QStringLiteral("prometheus not ready after 30 s");
    }

    // The body of a 200 answer within 5 s, else nullopt.
    std::optional<QByteArray> get(const QUrl &url)
    {
        QNetworkRequest request(url);
        request.setTransferTimeout(5000);
        QNetworkReply *reply = m_network.get(request);
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        if (!reply->isFinished())
            loop.exec();
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (reply->error() != QNetworkReply::NoError || status != 200)
            return std::nullopt;
        return reply->readAll();
    }

    QTemporaryDir m_dir;
    QProcess m_process;
    QString m_binary;
    quint16 m_port = 0;
    QNetworkAccessManager m_network;
};

} // namespace starling::testing
