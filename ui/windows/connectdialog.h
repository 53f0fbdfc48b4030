#pragma once

#include "consolemodel/bridgeclustersource.h"

#include <QDialog>

QT_BEGIN_NAMESPACE
class QLabel;
class QLineEdit;
class QRadioButton;
QT_END_NAMESPACE

namespace starling::ui {

// Where to find a cluster: its run directory (the state file `starling up` wrote) or a
// bridge address with a token file. Checks the answer before closing and says what is wrong.
class ConnectDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectDialog)

public:
    explicit ConnectDialog(const QString &runDir, QWidget *parent = nullptr);

    // Valid after accept().
    consolemodel::EndpointResolver resolver() const { return m_resolver; }
    QString description() const { return m_description; }

    void setRunDir(const QString &dir);
    void setBridge(const QString &hostPort, const QString &tokenFile);
    void accept() override;
    QString error() const;

private:
    QRadioButton *m_byRunDir;
    QRadioButton *m_byAddress;
    QLineEdit *m_runDir;
    QLineEdit *m_hostPort;
    QLineEdit *m_tokenFile;
    QLabel *m_error;
    consolemodel::EndpointResolver m_resolver;
    QString m_description;
};

} // namespace starling::ui
