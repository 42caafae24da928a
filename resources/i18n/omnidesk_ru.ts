<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ru">
<context>
    <name>ConnectDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="22"/>
        <source>Sign in to OmniDesk</source>
        <translation>Вход в OmniDesk</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="24"/>
        <source>Gateway address</source>
        <translation>Адрес шлюза</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="27"/>
        <source>User name</source>
        <translation>Имя пользователя</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="30"/>
        <source>Password</source>
        <translation>Пароль</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="31"/>
        <source>Remember me</source>
        <translation>Запомнить меня</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="32"/>
        <source>Remember me on this computer</source>
        <translation>Запомнить меня на этом компьютере</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="34"/>
        <source>Gateway:</source>
        <translation>Шлюз:</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="35"/>
        <source>User:</source>
        <translation>Пользователь:</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="36"/>
        <source>Password:</source>
        <translation>Пароль:</translation>
    </message>
</context>
<context>
    <name>ConversationModel</name>
    <message>
        <location filename="../../ui/conversation_model.py" line="38"/>
        <source>Web chat</source>
        <translation>Веб-чат</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="39"/>
        <source>E-mail</source>
        <translation>Почта</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="43"/>
        <source>Call</source>
        <translation>Звонок</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="44"/>
        <source>Visit</source>
        <translation>Визит</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="47"/>
        <source>waiting</source>
        <translation>ожидает</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="48"/>
        <source>offered to you</source>
        <translation>предложено вам</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="49"/>
        <source>active</source>
        <translation>в работе</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="50"/>
        <source>on hold</source>
        <translation>на удержании</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="51"/>
        <source>wrap-up</source>
        <translation>завершение</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="52"/>
        <source>OmniDesk</source>
        <translation>OmniDesk</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="56"/>
        <source>Status</source>
        <translation>Статус</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="61"/>
        <source>Presence</source>
        <translation>Статус оператора</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="63"/>
        <source>Available</source>
        <translation>На линии</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="64"/>
        <source>Break</source>
        <translation>Перерыв</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="65"/>
        <source>After-call work</source>
        <translation>Поствызывная обработка</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="72"/>
        <source>The gateway is unreachable; your replies are kept and sent when it is back.</source>
        <translation>Шлюз недоступен; ваши ответы сохранены и уйдут, когда связь вернётся.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="74"/>
        <source>Someone else acted on this conversation first.</source>
        <translation>Другой оператор уже занялся этим обращением.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="75"/>
        <source>Your role does not allow this.</source>
        <translation>Ваша роль этого не позволяет.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="76"/>
        <source>No free capacity for this channel.</source>
        <translation>Нет свободных мест для этого канала.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="77"/>
        <source>The customer cannot be reached on this channel.</source>
        <translation>С клиентом нельзя связаться по этому каналу.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="83"/>
        <location filename="../../ui/main_window.py" line="211"/>
        <source>Connecting…</source>
        <translation>Подключение…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="85"/>
        <source>Connection state</source>
        <translation>Состояние связи</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="88"/>
        <source>Search by phone, e-mail or name (Ctrl+K)</source>
        <translation>Поиск по телефону, почте или имени (Ctrl+K)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="89"/>
        <source>Customer search</source>
        <translation>Поиск клиента</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="93"/>
        <source>Search results</source>
        <translation>Результаты поиска</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="101"/>
        <source>My conversations and the queue</source>
        <translation>Мои обращения и очередь</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="115"/>
        <source>Customer feed</source>
        <translation>Лента клиента</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="122"/>
        <source>Reply channel</source>
        <translation>Канал ответа</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="125"/>
        <source>Reply</source>
        <translation>Ответ</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="126"/>
        <source>Reply… (Ctrl+Enter sends)</source>
        <translation>Ответ… (Ctrl+Enter — отправить)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="128"/>
        <source>Send</source>
        <translation>Отправить</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="129"/>
        <source>Send reply</source>
        <translation>Отправить ответ</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="143"/>
        <source>No customer open</source>
        <translation>Клиент не выбран</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="145"/>
        <source>Customer card</source>
        <translation>Карточка клиента</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="151"/>
        <location filename="../../ui/main_window.py" line="155"/>
        <source>Next best actions</source>
        <translation>Рекомендуемые действия</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="169"/>
        <source>&amp;Conversation</source>
        <translation>&amp;Обращение</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="171"/>
        <source>Accept</source>
        <translation>Принять</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="172"/>
        <source>Hold / resume</source>
        <translation>Удержать / продолжить</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="173"/>
        <source>Transfer…</source>
        <translation>Перевести…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="174"/>
        <source>Note…</source>
        <translation>Заметка…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="175"/>
        <source>Wrap up…</source>
        <translation>Завершить…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="176"/>
        <source>Search</source>
        <translation>Поиск</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="177"/>
        <location filename="../../ui/main_window.py" line="435"/>
        <source>Shortcuts</source>
        <translation>Горячие клавиши</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="210"/>
        <source>Online</source>
        <translation>В сети</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="212"/>
        <source>Gateway unreachable: retrying; replies are kept</source>
        <translation>Шлюз недоступен: переподключаемся; ответы сохранены</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="66"/>
        <location filename="../../ui/main_window.py" line="213"/>
        <source>Offline</source>
        <translation>Не в сети</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="214"/>
        <source>Sign-in failed</source>
        <translation>Вход не удался</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/main_window.py" line="221"/>
        <source>%n replies waiting to be sent</source>
        <translation>
            <numerusform>%n ответ ждёт отправки</numerusform>
            <numerusform>%n ответа ждут отправки</numerusform>
            <numerusform>%n ответов ждут отправки</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="225"/>
        <source>OmniDesk — %1</source>
        <translation>OmniDesk — %1</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="256"/>
        <source>(no name)</source>
        <translation>(без имени)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="256"/>
        <source>Segment: </source>
        <translation>Сегмент: </translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="258"/>
        <source>Last CSAT: </source>
        <translation>Последняя оценка: </translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="398"/>
        <location filename="../../ui/main_window.py" line="401"/>
        <source>Transfer</source>
        <translation>Перевод</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="398"/>
        <source>To queue:</source>
        <translation>В очередь:</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="401"/>
        <location filename="../../ui/main_window.py" line="407"/>
        <source>Note:</source>
        <translation>Заметка:</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="407"/>
        <source>Note</source>
        <translation>Заметка</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="417"/>
        <source>Wrap up</source>
        <translation>Завершение</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="418"/>
        <source>Disposition:</source>
        <translation>Итог:</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="420"/>
        <source>resolved</source>
        <translation>решено</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="421"/>
        <source>information</source>
        <translation>консультация</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="422"/>
        <source>complaint</source>
        <translation>жалоба</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="423"/>
        <source>sale</source>
        <translation>продажа</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="424"/>
        <source>callback</source>
        <translation>перезвонить</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="437"/>
        <source>A — accept the selected offer
Ctrl+Enter — send the reply
Ctrl+K — search customers
Ctrl+H — hold / resume
Ctrl+T — transfer
Ctrl+N — note
Ctrl+W — wrap up
F1 — this help</source>
        <translation>A — принять выбранное обращение
Ctrl+Enter — отправить ответ
Ctrl+K — поиск клиента
Ctrl+H — удержать / продолжить
Ctrl+T — перевести
Ctrl+N — заметка
Ctrl+W — завершить
F1 — эта справка</translation>
    </message>
</context>
</TS>
