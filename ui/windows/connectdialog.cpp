#include "connectdialog.h"

#include "cluster/statefile.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

namespace starling::ui {

ConnectDialog::ConnectDialog(const QString &runDir, QWidget *parent)
    : QDialog(parent),
      m_byRunDir(new QRadioButton(tr("A cluster started here, by its run directory"), this)),
      m_byAddress(new QRadioButton(tr("A bridge address and its token file"), this)),
      m_runDir(new QLineEdit(runDir, this)), m_hostPort(new QLineEdit(this)),
      m_tokenFile(new QLineEdit(this)), m_error(new QLabel(this))
{
    setWindowTitle(tr("Connect to a cluster"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_byRunDir);
    auto *first = new QFormLayout;
    first->addRow(tr("Run directory:"), m_runDir);
    layout->addLayout(first);
    layout->addWidget(m_byAddress);
    auto *second = new QFormLayout;
    m_hostPort->setPlaceholderText(QStringLiteral("127.0.0.1:7070"));
    second->addRow(tr("Bridge (HOST:PORT):"), m_hostPort);
    m_tokenFile->setPlaceholderText(tr("a file holding the 64-hex-digit token"));
    second->addRow(tr("Token file:"), m_tokenFile);
    layout->addLayout(second);
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #c62828"));
    layout->addWidget(m_error);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Connect"));
    connect(buttons, &QDialogButtonBox::accepted, this, &ConnectDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    const auto enable = [this] {
        m_runDir->setEnabled(m_byRunDir->isChecked());
        m_hostPort->setEnabled(m_byAddress->isChecked());
        m_tokenFile->setEnabled(m_byAddress->isChecked());
    };
    connect(m_byRunDir, &QRadioButton::toggled, this, enable);
    m_byRunDir->setChecked(true);
    enable();
    resize(480, sizeHint().height());
}

void ConnectDialog::setRunDir(const QString &dir)
{
    m_byRunDir->setChecked(true);
    m_runDir->setText(dir);
}

void ConnectDialog::setBridge(const QString &hostPort, const QString &tokenFile)
{
    m_byAddress->setChecked(true);
    m_hostPort->setText(hostPort);
    m_tokenFile->setText(tokenFile);
}

QString ConnectDialog::error() const
{
    return m_error->text();
}

void ConnectDialog::accept()
{
    if (m_byRunDir->isChecked()) {
        const QString path = cluster::stateFilePath(cluster::resolveRunDir(m_runDir->text()));
        const auto state = cluster::readStateFile(path);
        if (!state) {
            m_error->setText(state.error());
            return;
        }
        m_resolver = consolemodel::endpointFromStateFile(path);
        m_description = path;
    } else {
        const auto endpoint =
            consolemodel::parseConnectArguments(m_hostPort->text().trimmed(), m_tokenFile->text());
        if (!endpoint) {
            m_error->setText(endpoint.error());
            return;
        }
        m_resolver = consolemodel::fixedEndpoint(*endpoint);
        m_description = endpoint->origin;
    }
    m_error->clear();
    QDialog::accept();
}

} // namespace starling::ui
