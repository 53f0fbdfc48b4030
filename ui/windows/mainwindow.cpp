#include "mainwindow.h"

#include <QLabel>
#include <QStatusBar>

namespace starling::ui {

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent)
{
    setWindowTitle(tr("Starling Console"));
    setObjectName(QStringLiteral("starlingMainWindow"));
    auto *connection = new QLabel(tr("No cluster connected"), this);
    connection->setObjectName(QStringLiteral("connectionState"));
    statusBar()->addWidget(connection);
    resize(1024, 680);
}

} // namespace starling::ui
