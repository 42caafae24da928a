<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ru">
<context>
    <name></name>
    <message>
        <location filename="../../ui/customer_card.py" line="58"/>
        <source>%1 min</source>
        <translation>%1 мин</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="60"/>
        <source>%1 h</source>
        <translation>%1 ч</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="61"/>
        <source>%1 d</source>
        <translation>%1 дн.</translation>
    </message>
</context>
<context>
    <name>Avatar</name>
    <message>
        <location filename="../../ui/customer_card.py" line="72"/>
        <source>Initials</source>
        <translation>Инициалы</translation>
    </message>
</context>
<context>
    <name>CallBar</name>
    <message>
        <location filename="../../ui/call_bar.py" line="32"/>
        <location filename="../../ui/call_bar.py" line="42"/>
        <source>Call</source>
        <translation>Звонок</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="46"/>
        <location filename="../../ui/call_bar.py" line="146"/>
        <source>Caller</source>
        <translation>Звонящий</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="52"/>
        <source>Call state</source>
        <translation>Состояние звонка</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="55"/>
        <source>Call duration</source>
        <translation>Длительность звонка</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="58"/>
        <source>Answer</source>
        <translation>Ответить</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="58"/>
        <source>Answer the call</source>
        <translation>Ответить на звонок</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="60"/>
        <source>Decline</source>
        <translation>Отклонить</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="60"/>
        <source>Decline the call</source>
        <translation>Отклонить звонок</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="62"/>
        <location filename="../../ui/call_bar.py" line="159"/>
        <source>Hold</source>
        <translation>Удержать</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="62"/>
        <location filename="../../ui/call_bar.py" line="162"/>
        <source>Put the call on hold</source>
        <translation>Поставить звонок на удержание</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="64"/>
        <source>Transfer…</source>
        <translation>Перевести…</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="64"/>
        <source>Transfer the call</source>
        <translation>Перевести звонок</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="66"/>
        <source>Hang up</source>
        <translation>Положить трубку</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="66"/>
        <source>End the call</source>
        <translation>Закончить звонок</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="149"/>
        <source>Incoming call</source>
        <translation>Входящий звонок</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="150"/>
        <source>On the call</source>
        <translation>Идёт разговор</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="151"/>
        <source>On hold</source>
        <translation>На удержании</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="159"/>
        <source>Resume</source>
        <translation>Продолжить</translation>
    </message>
    <message>
        <location filename="../../ui/call_bar.py" line="162"/>
        <source>Resume the call</source>
        <translation>Снять звонок с удержания</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <location filename="../../ui/composer.py" line="87"/>
        <source>Web chat</source>
        <translation>Веб-чат</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="88"/>
        <source>Telegram</source>
        <translation>Telegram</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="89"/>
        <source>WhatsApp</source>
        <translation>WhatsApp</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="90"/>
        <source>SMS</source>
        <translation>SMS</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="91"/>
        <source>E-mail</source>
        <translation>Почта</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="96"/>
        <source>Reply channel</source>
        <translation>Канал ответа</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="97"/>
        <source>The channel the reply goes out on</source>
        <translation>Канал, по которому уйдёт ответ</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="107"/>
        <source>E-mail subject</source>
        <translation>Тема письма</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="108"/>
        <source>Subject</source>
        <translation>Тема</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="113"/>
        <location filename="../../ui/composer.py" line="116"/>
        <source>Templates</source>
        <translation>Шаблоны</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="114"/>
        <source>Reply templates</source>
        <translation>Шаблоны ответов</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="118"/>
        <source>Send</source>
        <translation>Отправить</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="120"/>
        <source>Send the reply</source>
        <translation>Отправить ответ</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="121"/>
        <source>Send (Ctrl+Enter)</source>
        <translation>Отправить (Ctrl+Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="125"/>
        <source>Reply</source>
        <translation>Ответ</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="127"/>
        <source>Write a reply… Ctrl+Enter sends, Enter starts a new line</source>
        <translation>Напишите ответ… Ctrl+Enter — отправить, Enter — новая строка</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="135"/>
        <source>Reply status</source>
        <translation>Состояние ответа</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="176"/>
        <source>(claimed, not verified)</source>
        <translation>(заявлен, не подтверждён)</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="181"/>
        <source>The customer typed this address; a reply may reach someone else</source>
        <translation>Клиент ввёл этот адрес сам; ответ может попасть к другому человеку</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="339"/>
        <source>The reply is too long for %1: at most %2 characters.</source>
        <translation>Ответ слишком длинный для канала %1: не более %2 символов.</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="353"/>
        <source>Open a conversation to reply.</source>
        <translation>Откройте обращение, чтобы ответить.</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="355"/>
        <source>This customer has no channel a reply can go to.</source>
        <translation>У этого клиента нет канала, по которому можно отправить ответ.</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="359"/>
        <source>Ctrl+Enter sends · Enter starts a new line</source>
        <translation>Ctrl+Enter — отправить · Enter — новая строка</translation>
    </message>
</context>
<context>
    <name>ConnectDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="91"/>
        <source>Sign in to OmniDesk</source>
        <translation>Вход в OmniDesk</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="92"/>
        <location filename="../../ui/dialogs.py" line="125"/>
        <source>Sign in</source>
        <translation>Войти</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="102"/>
        <source>Gateway address</source>
        <translation>Адрес шлюза</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="105"/>
        <source>Set by your organisation</source>
        <translation>Задаётся вашей организацией</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="107"/>
        <source>User name</source>
        <translation>Имя пользователя</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="110"/>
        <source>Password</source>
        <translation>Пароль</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="111"/>
        <source>&amp;Remember me</source>
        <translation>&amp;Запомнить меня</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="121"/>
        <source>&amp;Gateway:</source>
        <translation>&amp;Шлюз:</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="122"/>
        <source>&amp;User:</source>
        <translation>&amp;Пользователь:</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="123"/>
        <source>&amp;Password:</source>
        <translation>П&amp;ароль:</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="112"/>
        <source>Remember me on this computer</source>
        <translation>Запомнить меня на этом компьютере</translation>
    </message>
</context>
<context>
    <name>ConversationList</name>
    <message>
        <location filename="../../ui/conversation_list.py" line="135"/>
        <source>Conversations</source>
        <translation>Обращения</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="141"/>
        <source>Show channel</source>
        <translation>Фильтр по каналу</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="142"/>
        <source>Show conversations of one channel</source>
        <translation>Показать обращения только одного канала</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="143"/>
        <source>Channels</source>
        <translation>Каналы</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="144"/>
        <source>All channels</source>
        <translation>Все каналы</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="149"/>
        <source>Show state</source>
        <translation>Фильтр по состоянию</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="150"/>
        <source>Show conversations in one state</source>
        <translation>Показать обращения только в одном состоянии</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="151"/>
        <source>States</source>
        <translation>Состояния</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="152"/>
        <source>All states</source>
        <translation>Все состояния</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="154"/>
        <source>Waiting</source>
        <translation>Ожидание</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="155"/>
        <source>Offered</source>
        <translation>Предложено</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="156"/>
        <source>Active</source>
        <translation>В работе</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="157"/>
        <source>On hold</source>
        <translation>На удержании</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="158"/>
        <source>Wrap-up</source>
        <translation>Завершение</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="162"/>
        <source>&amp;Channel:</source>
        <translation>&amp;Канал:</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="164"/>
        <source>S&amp;tate:</source>
        <translation>&amp;Состояние:</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="172"/>
        <source>Conversation lists</source>
        <translation>Списки обращений</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="174"/>
        <source>My conversations</source>
        <translation>Мои обращения</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="174"/>
        <source>Queue</source>
        <translation>Очередь</translation>
    </message>
</context>
<context>
    <name>ConversationModel</name>
    <message>
        <location filename="../../ui/conversation_model.py" line="149"/>
        <source>%1 d</source>
        <translation>%1 дн.</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="180"/>
        <source>Web chat</source>
        <translation>Веб-чат</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="181"/>
        <source>E-mail</source>
        <translation>Почта</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="182"/>
        <source>Telegram</source>
        <translation>Telegram</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="183"/>
        <source>WhatsApp</source>
        <translation>WhatsApp</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="184"/>
        <source>SMS</source>
        <translation>SMS</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="185"/>
        <source>Call</source>
        <translation>Звонок</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="186"/>
        <source>Visit</source>
        <translation>Визит</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="189"/>
        <location filename="../../ui/conversation_model.py" line="206"/>
        <source>Waiting</source>
        <translation>Ожидание</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="190"/>
        <source>Offered</source>
        <translation>Предложено</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="191"/>
        <source>Offered to you</source>
        <translation>Предложено вам</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="192"/>
        <source>Active</source>
        <translation>В работе</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="193"/>
        <source>On hold</source>
        <translation>На удержании</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="194"/>
        <source>Wrap-up</source>
        <translation>Завершение</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="197"/>
        <source>within the service level</source>
        <translation>в пределах уровня сервиса</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="198"/>
        <source>service level at risk</source>
        <translation>уровень сервиса под угрозой</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="199"/>
        <source>service level missed</source>
        <translation>уровень сервиса нарушен</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="202"/>
        <source>Channel</source>
        <translation>Канал</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="203"/>
        <source>Customer</source>
        <translation>Клиент</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="204"/>
        <source>Subject</source>
        <translation>Тема</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="205"/>
        <source>State</source>
        <translation>Состояние</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="208"/>
        <source>unread</source>
        <translation>не прочитано</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_model.py" line="209"/>
        <source>Customer #%1</source>
        <translation>Клиент №%1</translation>
    </message>
</context>
<context>
    <name>CustomerCard</name>
    <message>
        <location filename="../../ui/customer_card.py" line="116"/>
        <source>Customer card</source>
        <translation>Карточка клиента</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="124"/>
        <source>Phone</source>
        <translation>Телефон</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="125"/>
        <source>E-mail</source>
        <translation>Почта</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="126"/>
        <source>Telegram</source>
        <translation>Telegram</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="127"/>
        <source>WhatsApp</source>
        <translation>WhatsApp</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="128"/>
        <source>Web chat</source>
        <translation>Веб-чат</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="131"/>
        <source>Standard</source>
        <translation>Стандарт</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="132"/>
        <source>Premium</source>
        <translation>Премиум</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="133"/>
        <source>VIP</source>
        <translation>VIP</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="134"/>
        <source>New customer</source>
        <translation>Новый клиент</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="147"/>
        <location filename="../../ui/customer_card.py" line="235"/>
        <source>No customer open</source>
        <translation>Клиент не выбран</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="148"/>
        <source>Customer name</source>
        <translation>Имя клиента</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="153"/>
        <source>Segment</source>
        <translation>Сегмент</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="155"/>
        <source>Last CSAT</source>
        <translation>Последняя оценка CSAT</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="171"/>
        <location filename="../../ui/customer_card.py" line="175"/>
        <source>Contacts</source>
        <translation>Контакты</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="184"/>
        <location filename="../../ui/customer_card.py" line="187"/>
        <source>Products</source>
        <translation>Продукты</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="189"/>
        <location filename="../../ui/customer_card.py" line="193"/>
        <source>Purchases</source>
        <translation>Покупки</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="194"/>
        <source>Order</source>
        <translation>Заказ</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="194"/>
        <source>Status</source>
        <translation>Статус</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="194"/>
        <source>Amount</source>
        <translation>Сумма</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="204"/>
        <location filename="../../ui/customer_card.py" line="208"/>
        <source>Open requests</source>
        <translation>Открытые обращения</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="259"/>
        <source>(no name)</source>
        <translation>(без имени)</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="267"/>
        <source>Last CSAT: %1 of 5</source>
        <translation>Последняя оценка CSAT: %1 из 5</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="285"/>
        <location filename="../../ui/customer_card.py" line="286"/>
        <source>verified</source>
        <translation>подтверждён</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="287"/>
        <source>Confirmed by the channel the customer wrote from</source>
        <translation>Подтверждено каналом, из которого писал клиент</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="289"/>
        <source>claimed</source>
        <translation>со слов клиента</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="290"/>
        <source>claimed, not verified</source>
        <translation>со слов клиента, не подтверждён</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="292"/>
        <source>The customer typed this but has not written from it: it is not confirmed, and a reply there may reach someone else</source>
        <translation>Клиент ввёл это сам, но не писал оттуда: контакт не подтверждён, и ответ туда может попасть к другому человеку</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="296"/>
        <source>not confirmed</source>
        <translation>не подтверждён</translation>
    </message>
    <message>
        <location filename="../../ui/customer_card.py" line="297"/>
        <source>not confirmed yet</source>
        <translation>ещё не подтверждён</translation>
    </message>
</context>
<context>
    <name>FeedDelegate</name>
    <message>
        <location filename="../../ui/feed_view.py" line="202"/>
        <source>▶ Recording</source>
        <translation>▶ Запись</translation>
    </message>
</context>
<context>
    <name>FeedModel</name>
    <message>
        <location filename="../../ui/feed_model.py" line="233"/>
        <source>Web chat</source>
        <translation>Веб-чат</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="234"/>
        <source>E-mail</source>
        <translation>Почта</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="235"/>
        <source>Telegram</source>
        <translation>Telegram</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="236"/>
        <source>WhatsApp</source>
        <translation>WhatsApp</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="237"/>
        <source>SMS</source>
        <translation>SMS</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="238"/>
        <source>Phone</source>
        <translation>Телефон</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="239"/>
        <location filename="../../ui/feed_model.py" line="269"/>
        <source>Visit</source>
        <translation>Визит</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="242"/>
        <source>Sending…</source>
        <translation>Отправка…</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="243"/>
        <source>Sent</source>
        <translation>Отправлено</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="244"/>
        <source>Delivered</source>
        <translation>Доставлено</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="245"/>
        <source>Read</source>
        <translation>Прочитано</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="246"/>
        <source>Not delivered</source>
        <translation>Не доставлено</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="250"/>
        <source>Incoming</source>
        <translation>Вх.</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="251"/>
        <source>Outgoing</source>
        <translation>Исх.</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="252"/>
        <source>Internal</source>
        <translation>Внутр.</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="255"/>
        <source>message</source>
        <translation>сообщение</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="256"/>
        <source>e-mail</source>
        <translation>письмо</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="257"/>
        <source>call</source>
        <translation>звонок</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="258"/>
        <source>note</source>
        <translation>заметка</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="259"/>
        <source>status change</source>
        <translation>смена статуса</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="260"/>
        <source>purchase</source>
        <translation>покупка</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="261"/>
        <source>visit</source>
        <translation>визит</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="263"/>
        <source>Today</source>
        <translation>Сегодня</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="264"/>
        <source>Yesterday</source>
        <translation>Вчера</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="265"/>
        <source>Incoming call</source>
        <translation>Входящий звонок</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="266"/>
        <source>Outgoing call</source>
        <translation>Исходящий звонок</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="267"/>
        <source>Note</source>
        <translation>Заметка</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="268"/>
        <source>Order %1</source>
        <translation>Заказ %1</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="270"/>
        <source>Status changed</source>
        <translation>Статус изменён</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="271"/>
        <source>Recording</source>
        <translation>Запись</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="272"/>
        <source>Attachments: %1</source>
        <translation>Вложения: %1</translation>
    </message>
    <message>
        <location filename="../../ui/feed_model.py" line="273"/>
        <source>Not delivered: %1</source>
        <translation>Не доставлено: %1</translation>
    </message>
</context>
<context>
    <name>FeedView</name>
    <message>
        <location filename="../../ui/feed_view.py" line="837"/>
        <source>Customer feed</source>
        <translation>Лента клиента</translation>
    </message>
    <message>
        <location filename="../../ui/feed_view.py" line="839"/>
        <source>The customer&apos;s messages, e-mails, calls and orders, oldest first</source>
        <translation>Сообщения, письма, звонки и заказы клиента, сначала старые</translation>
    </message>
    <message>
        <location filename="../../ui/feed_view.py" line="849"/>
        <source>Jump to the new messages</source>
        <translation>Перейти к новым сообщениям</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/feed_view.py" line="981"/>
        <source>New messages: %n ↓</source>
        <translation>
            <numerusform>%n новое сообщение ↓</numerusform>
            <numerusform>%n новых сообщения ↓</numerusform>
            <numerusform>%n новых сообщений ↓</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>HintsPanel</name>
    <message>
        <location filename="../../ui/hints_panel.py" line="160"/>
        <location filename="../../ui/hints_panel.py" line="164"/>
        <source>Next best actions</source>
        <translation>Рекомендуемые действия</translation>
    </message>
    <message>
        <location filename="../../ui/hints_panel.py" line="170"/>
        <source>Suggested next actions</source>
        <translation>Предлагаемые действия</translation>
    </message>
    <message>
        <location filename="../../ui/hints_panel.py" line="172"/>
        <source>Enter accepts the selected suggestion, Delete dismisses it</source>
        <translation>Enter — принять выбранную подсказку, Delete — отклонить</translation>
    </message>
    <message>
        <location filename="../../ui/hints_panel.py" line="174"/>
        <location filename="../../ui/hints_panel.py" line="231"/>
        <source>Why: %1</source>
        <translation>Почему: %1</translation>
    </message>
    <message>
        <location filename="../../ui/hints_panel.py" line="183"/>
        <source>No suggestions for this customer.</source>
        <translation>Для этого клиента подсказок нет.</translation>
    </message>
    <message>
        <location filename="../../ui/hints_panel.py" line="189"/>
        <source>Accept</source>
        <translation>Принять</translation>
    </message>
    <message>
        <location filename="../../ui/hints_panel.py" line="190"/>
        <source>Accept the suggestion</source>
        <translation>Принять подсказку</translation>
    </message>
    <message>
        <location filename="../../ui/hints_panel.py" line="191"/>
        <source>Accept the selected suggestion (Ctrl+Shift+A)</source>
        <translation>Принять выбранную подсказку (Ctrl+Shift+A)</translation>
    </message>
    <message>
        <location filename="../../ui/hints_panel.py" line="193"/>
        <source>Dismiss</source>
        <translation>Отклонить</translation>
    </message>
    <message>
        <location filename="../../ui/hints_panel.py" line="194"/>
        <source>Dismiss the suggestion</source>
        <translation>Отклонить подсказку</translation>
    </message>
    <message>
        <location filename="../../ui/hints_panel.py" line="195"/>
        <source>Dismiss the selected suggestion (Ctrl+Shift+D)</source>
        <translation>Отклонить выбранную подсказку (Ctrl+Shift+D)</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <location filename="../../ui/labels.py" line="16"/>
        <source>Resolved</source>
        <translation>Решено</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="17"/>
        <source>Information given</source>
        <translation>Дана консультация</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="18"/>
        <source>Order status</source>
        <translation>Статус заказа</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="19"/>
        <source>Complaint</source>
        <translation>Жалоба</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="20"/>
        <source>Sale</source>
        <translation>Продажа</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="21"/>
        <source>Technical issue</source>
        <translation>Техническая проблема</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="22"/>
        <source>Callback arranged</source>
        <translation>Назначен обратный звонок</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="23"/>
        <source>Callback requested</source>
        <translation>Запрошен обратный звонок</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="24"/>
        <source>Escalated</source>
        <translation>Эскалировано</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="25"/>
        <source>Wrong number</source>
        <translation>Ошиблись номером</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="26"/>
        <source>Spam</source>
        <translation>Спам</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="27"/>
        <source>No answer</source>
        <translation>Нет ответа</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="28"/>
        <source>Voicemail</source>
        <translation>Голосовая почта</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="29"/>
        <source>Busy</source>
        <translation>Занято</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="30"/>
        <source>Missed</source>
        <translation>Пропущен</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="37"/>
        <source>paid</source>
        <translation>оплачен</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="38"/>
        <source>shipped</source>
        <translation>отправлен</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="39"/>
        <source>delivered</source>
        <translation>доставлен</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="40"/>
        <source>returned</source>
        <translation>возвращён</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="41"/>
        <source>cancelled</source>
        <translation>отменён</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="42"/>
        <source>open</source>
        <translation>открыто</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="43"/>
        <source>pending</source>
        <translation>в ожидании</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="44"/>
        <source>escalated</source>
        <translation>эскалировано</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="45"/>
        <source>closed</source>
        <translation>закрыто</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="231"/>
        <location filename="../../ui/main_window.py" line="232"/>
        <location filename="../../ui/main_window.py" line="310"/>
        <location filename="../../ui/main_window.py" line="1130"/>
        <source>OmniDesk</source>
        <translation>OmniDesk</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="344"/>
        <source>The gateway did not answer in time; try again.</source>
        <translation>Шлюз не ответил вовремя; повторите попытку.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="345"/>
        <source>Someone else acted on this conversation first, or it changed.</source>
        <translation>Другой оператор уже занялся этим обращением, или оно изменилось.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="347"/>
        <source>Not allowed: another operator serves this customer, or the queue needs other skills.</source>
        <translation>Не разрешено: клиента обслуживает другой оператор, или для очереди нужны другие навыки.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="350"/>
        <source>Not found: it was closed or removed meanwhile.</source>
        <translation>Не найдено: за это время закрыто или удалено.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="351"/>
        <source>No free place for this channel (or the colleague is busy).</source>
        <translation>Нет свободных мест для этого канала (или коллега занят).</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="353"/>
        <source>Too many actions at once; it is retried in a moment.</source>
        <translation>Слишком много действий одновременно; повторная попытка — через мгновение.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="354"/>
        <source>The gateway does not support this yet.</source>
        <translation>Шлюз пока это не поддерживает.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="355"/>
        <source>The gateway failed; it is retried.</source>
        <translation>Сбой шлюза; выполняется повторная попытка.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="356"/>
        <source>The gateway refused it: %1</source>
        <translation>Шлюз отклонил запрос: %1</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="360"/>
        <source>Decline</source>
        <translation>Отклонить</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="361"/>
        <source>Hold</source>
        <translation>Удержать</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="362"/>
        <source>Resume</source>
        <translation>Продолжить</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="363"/>
        <source>End</source>
        <translation>Закончить</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="365"/>
        <source>Wrap-up</source>
        <translation>Завершение</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="371"/>
        <source>History</source>
        <translation>История</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="372"/>
        <source>Suggestion</source>
        <translation>Подсказка</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="375"/>
        <source>The offer timed out and went to someone else.</source>
        <translation>Время на принятие истекло, обращение передано другому оператору.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="376"/>
        <source>The offer was withdrawn because you are not available.</source>
        <translation>Обращение отозвано: вы не на линии.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="377"/>
        <source>A colleague took the conversation.</source>
        <translation>Обращение взял коллега.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="381"/>
        <source>Status</source>
        <translation>Статус</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="368"/>
        <location filename="../../ui/main_window.py" line="398"/>
        <source>Presence</source>
        <translation>Статус оператора</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="244"/>
        <source>The customer&apos;s messages appear here.</source>
        <translation>Здесь появятся сообщения клиента.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="250"/>
        <source>The reply editor appears here.</source>
        <translation>Здесь появится редактор ответа.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="284"/>
        <source>Connection problem</source>
        <translation>Проблема со связью</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="335"/>
        <source>Available</source>
        <translation>На линии</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="336"/>
        <source>Break</source>
        <translation>Перерыв</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="337"/>
        <source>After-call work</source>
        <translation>Поствызывная обработка</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="342"/>
        <source>The gateway is unreachable; your replies are kept and sent when it is back.</source>
        <translation>Шлюз недоступен; ваши ответы сохранены и уйдут, когда связь вернётся.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="352"/>
        <source>The customer cannot be reached on this channel.</source>
        <translation>С клиентом нельзя связаться по этому каналу.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="389"/>
        <source>Signing in…</source>
        <translation>Вход…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="391"/>
        <source>Operator</source>
        <translation>Оператор</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="399"/>
        <source>Your presence (Ctrl+Shift+P: next)</source>
        <translation>Ваш статус (Ctrl+Shift+P — следующий)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="400"/>
        <source>Presence choices</source>
        <translation>Варианты статуса</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="408"/>
        <source>Time in this presence</source>
        <translation>Время в этом статусе</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="416"/>
        <source>Connection</source>
        <translation>Связь</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="418"/>
        <location filename="../../ui/main_window.py" line="1087"/>
        <source>Connecting…</source>
        <translation>Подключение…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="420"/>
        <source>Connection state</source>
        <translation>Состояние связи</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="432"/>
        <source>Customer search</source>
        <translation>Поиск клиента</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="366"/>
        <source>Reply</source>
        <translation>Ответ</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="369"/>
        <source>Customer card</source>
        <translation>Карточка клиента</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="489"/>
        <source>&amp;Conversation</source>
        <translation>&amp;Обращение</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="359"/>
        <source>Accept</source>
        <translation>Принять</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="370"/>
        <source>Search</source>
        <translation>Поиск</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1085"/>
        <source>Online</source>
        <translation>В сети</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="338"/>
        <location filename="../../ui/main_window.py" line="1105"/>
        <source>Offline</source>
        <translation>Не в сети</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="433"/>
        <source>Find a customer: phone, e-mail, name (Ctrl+K)</source>
        <translation>Найти клиента: телефон, эл. почта, имя (Ctrl+K)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="443"/>
        <source>Messages</source>
        <translation>Сообщения</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="446"/>
        <source>Commands waiting to be sent</source>
        <translation>Действия, ожидающие отправки</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="478"/>
        <source>&amp;OmniDesk</source>
        <translation>&amp;OmniDesk</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="480"/>
        <source>Sign &amp;in…</source>
        <translation>&amp;Войти…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="484"/>
        <source>&amp;Settings…</source>
        <translation>&amp;Настройки…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="487"/>
        <source>&amp;Quit</source>
        <translation>В&amp;ыход</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="491"/>
        <source>&amp;Accept</source>
        <translation>&amp;Принять</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="494"/>
        <source>&amp;Decline</source>
        <translation>&amp;Отклонить</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="498"/>
        <source>&amp;Hold / resume</source>
        <translation>&amp;Удержать / продолжить</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="501"/>
        <source>&amp;Transfer…</source>
        <translation>Пере&amp;вести…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="504"/>
        <source>&amp;End / hang up</source>
        <translation>&amp;Закончить / положить трубку</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="507"/>
        <source>&amp;Wrap up…</source>
        <translation>Завер&amp;шить…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="509"/>
        <source>&amp;Note…</source>
        <translation>За&amp;метка…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="511"/>
        <source>&amp;Go</source>
        <translation>&amp;Переход</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="513"/>
        <source>&amp;Find a customer</source>
        <translation>&amp;Найти клиента</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="516"/>
        <source>&amp;Conversations</source>
        <translation>&amp;Обращения</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="519"/>
        <source>Next &amp;presence</source>
        <translation>Следующий &amp;статус</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="522"/>
        <source>&amp;Help</source>
        <translation>&amp;Справка</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="524"/>
        <source>&amp;Keyboard shortcuts</source>
        <translation>&amp;Горячие клавиши</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="535"/>
        <source>Accept the offered or waiting conversation</source>
        <translation>Принять предложенное или ожидающее обращение</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="536"/>
        <source>Decline the offered conversation</source>
        <translation>Отклонить предложенное обращение</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="537"/>
        <source>Up / Down</source>
        <translation>Вверх / Вниз</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="537"/>
        <source>Move through the conversations</source>
        <translation>Перемещение по обращениям</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="538"/>
        <source>Enter</source>
        <translation>Enter</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="538"/>
        <source>Open the conversation and go to the reply</source>
        <translation>Открыть обращение и перейти к ответу</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="539"/>
        <source>Go to the n-th conversation of the list</source>
        <translation>Перейти к n-му обращению в списке</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="540"/>
        <source>Switch between My conversations and Queue</source>
        <translation>Переключиться между вкладками «Мои обращения» и «Очередь»</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="541"/>
        <source>Go to the conversation list</source>
        <translation>Перейти к списку обращений</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="542"/>
        <source>Put on hold, or resume (a running call first)</source>
        <translation>Поставить на удержание или продолжить (в первую очередь — текущий звонок)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="543"/>
        <source>Transfer to a queue or a colleague</source>
        <translation>Перевести в очередь или коллеге</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="544"/>
        <source>End the conversation (hang up a call)</source>
        <translation>Закончить обращение (положить трубку)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="545"/>
        <source>Wrap up: disposition and resolution</source>
        <translation>Завершение: итог и решение</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="546"/>
        <source>Add an internal note</source>
        <translation>Добавить внутреннюю заметку</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="547"/>
        <source>Find a customer by phone, e-mail or name</source>
        <translation>Найти клиента по телефону, эл. почте или имени</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="548"/>
        <source>Available → Break → After-call work</source>
        <translation>На линии → Перерыв → Поствызывная обработка</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="549"/>
        <source>Accept the selected suggestion</source>
        <translation>Принять выбранную подсказку</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="550"/>
        <source>Dismiss the selected suggestion</source>
        <translation>Отклонить выбранную подсказку</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="551"/>
        <source>Enter / Delete</source>
        <translation>Enter / Delete</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="551"/>
        <source>Accept / dismiss the focused suggestion</source>
        <translation>Принять / отклонить подсказку в фокусе</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="552"/>
        <source>Send the reply; finish a dialog</source>
        <translation>Отправить ответ; подтвердить диалоговое окно</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="553"/>
        <source>Settings</source>
        <translation>Настройки</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="554"/>
        <source>This list</source>
        <translation>Этот список</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="555"/>
        <source>Quit</source>
        <translation>Выход</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="663"/>
        <source>New conversation: %1 (%2). A accepts, D declines.</source>
        <translation>Новое обращение: %1 (%2). A — принять, D — отклонить.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="668"/>
        <source>New conversation</source>
        <translation>Новое обращение</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="674"/>
        <source>The offer was withdrawn.</source>
        <translation>Обращение отозвано.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="709"/>
        <source>Too many sign-in attempts. OmniDesk signs in again by itself in %1 s.</source>
        <translation>Слишком много попыток входа. OmniDesk войдёт сам через %1 с.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="712"/>
        <source>Wrong user name or password.</source>
        <translation>Неверное имя пользователя или пароль.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="713"/>
        <source>Your saved sign-in is no longer valid. Sign in again.</source>
        <translation>Сохранённый вход больше не действует. Войдите снова.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="714"/>
        <source>Your sign-in has expired. Sign in again.</source>
        <translation>Срок входа истёк. Войдите снова.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="716"/>
        <source>Your session was ended by an administrator or from another window. Sign in again.</source>
        <translation>Сеанс завершён администратором или из другого окна. Войдите снова.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="719"/>
        <source>Your account was deactivated. Ask your administrator to activate it.</source>
        <translation>Учётная запись отключена. Попросите администратора включить её.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="721"/>
        <source>You signed out.</source>
        <translation>Вы вышли.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="723"/>
        <source>You are signed in on too many windows. Close one, then sign in again.</source>
        <translation>Вы вошли в слишком многих окнах. Закройте одно и войдите снова.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="726"/>
        <source>This OmniDesk is too old for the gateway. Ask IT for an update.</source>
        <translation>Эта версия OmniDesk слишком старая для шлюза. Попросите ИТ-отдел обновить её.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="729"/>
        <source>Sign-in failed (%1).</source>
        <translation>Вход не удался (%1).</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="765"/>
        <source>No customer found for “%1”.</source>
        <translation>Клиент по запросу «%1» не найден.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="843"/>
        <source>Type at least two characters.</source>
        <translation>Введите не менее двух символов.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="874"/>
        <source>Only an offered or waiting conversation can be accepted.</source>
        <translation>Принять можно только предложенное или ожидающее обращение.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="889"/>
        <source>Only a conversation offered to you can be declined.</source>
        <translation>Отклонить можно только обращение, предложенное вам.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="905"/>
        <location filename="../../ui/main_window.py" line="916"/>
        <location filename="../../ui/main_window.py" line="923"/>
        <source>Select one of your active conversations first.</source>
        <translation>Сначала выберите одно из своих обращений в работе.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="951"/>
        <source>Select one of your conversations first.</source>
        <translation>Сначала выберите одно из своих обращений.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="966"/>
        <source>Open a customer first.</source>
        <translation>Сначала откройте карточку клиента.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1017"/>
        <source>The suggested text is in your reply.</source>
        <translation>Предложенный текст добавлен в ответ.</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1076"/>
        <source>%1 for %2</source>
        <translation>%1 уже %2</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/main_window.py" line="1083"/>
        <source>%n waiting to be sent</source>
        <translation>
            <numerusform>%n действие ждёт отправки</numerusform>
            <numerusform>%n действия ждут отправки</numerusform>
            <numerusform>%n действий ждут отправки</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1096"/>
        <source>Reconnecting in %1 s</source>
        <translation>Переподключение через %1 с</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1098"/>
        <source>Reconnecting…</source>
        <translation>Переподключение…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1101"/>
        <source>Signed out</source>
        <translation>Вход не выполнен</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="1103"/>
        <source>Waiting to sign in</source>
        <translation>Ожидание входа</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/main_window.py" line="1130"/>
        <source>OmniDesk — %n unread</source>
        <translation>
            <numerusform>OmniDesk — %n непрочитанное</numerusform>
            <numerusform>OmniDesk — %n непрочитанных</numerusform>
            <numerusform>OmniDesk — %n непрочитанных</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="613"/>
        <source>OmniDesk — %1</source>
        <translation>OmniDesk — %1</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="364"/>
        <source>Transfer</source>
        <translation>Перевод</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="367"/>
        <source>Note</source>
        <translation>Заметка</translation>
    </message>
</context>
<context>
    <name>NoteDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="324"/>
        <source>Add a note</source>
        <translation>Новая заметка</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="325"/>
        <source>Note</source>
        <translation>Заметка</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="328"/>
        <source>Note text</source>
        <translation>Текст заметки</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="329"/>
        <source>Only colleagues see notes (Ctrl+Enter to save)</source>
        <translation>Заметки видят только коллеги (Ctrl+Enter — сохранить)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="337"/>
        <source>Save note</source>
        <translation>Сохранить заметку</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="337"/>
        <source>Save the note</source>
        <translation>Сохранить заметку</translation>
    </message>
</context>
<context>
    <name>SearchPopup</name>
    <message>
        <location filename="../../ui/main_window.py" line="105"/>
        <source>Search results</source>
        <translation>Результаты поиска</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="110"/>
        <source>Customers found</source>
        <translation>Найденные клиенты</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="123"/>
        <source>(no name)</source>
        <translation>(без имени)</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../ui/settings_dialog.py" line="149"/>
        <location filename="../../ui/settings_dialog.py" line="150"/>
        <source>Settings</source>
        <translation>Настройки</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="153"/>
        <source>Settings pages</source>
        <translation>Разделы настроек</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="155"/>
        <source>&amp;General</source>
        <translation>&amp;Общие</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="156"/>
        <source>&amp;Notifications and speech</source>
        <translation>&amp;Уведомления и речь</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="157"/>
        <source>&amp;Reply templates</source>
        <translation>&amp;Шаблоны ответов</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="173"/>
        <source>The language changes when OmniDesk starts again.</source>
        <translation>Язык сменится при следующем запуске OmniDesk.</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="188"/>
        <source>OK</source>
        <translation>ОК</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="189"/>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="191"/>
        <source>Restore &amp;defaults</source>
        <translation>&amp;Восстановить по умолчанию</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="192"/>
        <source>Restore the default settings</source>
        <translation>Восстановить настройки по умолчанию</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="213"/>
        <source>&amp;Gateway address:</source>
        <translation>&amp;Адрес шлюза:</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="214"/>
        <source>&amp;Language:</source>
        <translation>&amp;Язык:</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="215"/>
        <source>&amp;Theme:</source>
        <translation>&amp;Тема:</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="216"/>
        <source>&amp;Feed items per page:</source>
        <translation>&amp;Записей ленты за раз:</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="217"/>
        <source>Desktop notifications:</source>
        <translation>Уведомления на рабочем столе:</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="218"/>
        <source>Sound:</source>
        <translation>Звук:</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="219"/>
        <source>Spoken announcements:</source>
        <translation>Голосовые объявления:</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="220"/>
        <source>Announcement &amp;language:</source>
        <translation>Я&amp;зык объявлений:</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="221"/>
        <source>Speaking &amp;rate:</source>
        <translation>&amp;Скорость речи:</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="222"/>
        <source>&amp;Voice:</source>
        <translation>&amp;Голос:</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="228"/>
        <source>As in the system</source>
        <translation>Как в системе</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="231"/>
        <source>Light</source>
        <translation>Светлая</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="232"/>
        <source>Dark</source>
        <translation>Тёмная</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="238"/>
        <source>Show a notification for each new conversation</source>
        <translation>Показывать уведомление о каждом новом обращении</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="239"/>
        <source>Play a sound for each new conversation</source>
        <translation>Подавать звуковой сигнал при каждом новом обращении</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="240"/>
        <source>Announce new conversations aloud</source>
        <translation>Объявлять новые обращения вслух</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="260"/>
        <source> words/min</source>
        <translation> слов/мин</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="147"/>
        <source>Chosen by the announcement language</source>
        <translation>Выбирается по языку объявлений</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="278"/>
        <source>Set by your organisation</source>
        <translation>Задаётся вашей организацией</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="380"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="363"/>
        <location filename="../../ui/dialogs.py" line="364"/>
        <source>Keyboard shortcuts</source>
        <translation>Горячие клавиши</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="367"/>
        <source>Shortcuts</source>
        <translation>Горячие клавиши</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="368"/>
        <source>Keys</source>
        <translation>Клавиши</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="368"/>
        <source>Action</source>
        <translation>Действие</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="379"/>
        <location filename="../../ui/dialogs.py" line="380"/>
        <source>Close</source>
        <translation>Закрыть</translation>
    </message>
</context>
<context>
    <name>TemplatesEditor</name>
    <message>
        <location filename="../../ui/settings_dialog.py" line="69"/>
        <source>Name</source>
        <translation>Название</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="69"/>
        <source>Text</source>
        <translation>Текст</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="69"/>
        <source>Hotkey</source>
        <translation>Горячая клавиша</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="70"/>
        <source>Reply templates</source>
        <translation>Шаблоны ответов</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="75"/>
        <source>&amp;Add template</source>
        <translation>&amp;Добавить шаблон</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="76"/>
        <source>Add a template</source>
        <translation>Добавить шаблон</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="77"/>
        <source>&amp;Remove template</source>
        <translation>&amp;Удалить шаблон</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="78"/>
        <source>Remove the selected template</source>
        <translation>Удалить выбранный шаблон</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="80"/>
        <source>In the text, {name} is the customer&apos;s name and {order} their last order.</source>
        <translation>В тексте {name} — имя клиента, {order} — его последний заказ.</translation>
    </message>
</context>
<context>
    <name>TransferDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="163"/>
        <location filename="../../ui/dialogs.py" line="213"/>
        <source>Transfer the conversation</source>
        <translation>Перевод обращения</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="164"/>
        <location filename="../../ui/dialogs.py" line="213"/>
        <source>Transfer</source>
        <translation>Перевести</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="166"/>
        <source>available</source>
        <translation>на линии</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="167"/>
        <source>on a break</source>
        <translation>на перерыве</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="168"/>
        <source>after-call work</source>
        <translation>поствызывная обработка</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="169"/>
        <source>offline</source>
        <translation>не в сети</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="171"/>
        <source>To a &amp;queue</source>
        <translation>В &amp;очередь</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="172"/>
        <source>Transfer to a queue</source>
        <translation>Перевести в очередь</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="173"/>
        <source>To a &amp;colleague</source>
        <translation>&amp;Коллеге</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="174"/>
        <source>Transfer to a colleague</source>
        <translation>Перевести коллеге</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="181"/>
        <source>Queues</source>
        <translation>Очереди</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="188"/>
        <source>Colleagues</source>
        <translation>Коллеги</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="208"/>
        <source>Note for the next operator</source>
        <translation>Заметка для следующего оператора</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="209"/>
        <source>What the next operator should know</source>
        <translation>Что нужно знать следующему оператору</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="210"/>
        <source>&amp;Note:</source>
        <translation>&amp;Заметка:</translation>
    </message>
</context>
<context>
    <name>WrapUpDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="273"/>
        <location filename="../../ui/dialogs.py" line="299"/>
        <source>Wrap up the conversation</source>
        <translation>Завершение обращения</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="274"/>
        <source>Wrap-up</source>
        <translation>Завершение</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="278"/>
        <source>Disposition</source>
        <translation>Итог</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="279"/>
        <source>Dispositions</source>
        <translation>Итоги</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="284"/>
        <source>Resolution</source>
        <translation>Решение</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="285"/>
        <source>What was done (Ctrl+Enter to finish)</source>
        <translation>Что сделано (Ctrl+Enter — завершить)</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="287"/>
        <source>The customer&apos;s issue is &amp;resolved</source>
        <translation>Вопрос клиента ре&amp;шён</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="289"/>
        <source>Resolved</source>
        <translation>Решено</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="295"/>
        <source>Customer:</source>
        <translation>Клиент:</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="296"/>
        <source>&amp;Disposition:</source>
        <translation>&amp;Итог:</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="297"/>
        <source>Re&amp;solution:</source>
        <translation>&amp;Решение:</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="299"/>
        <source>Wrap up</source>
        <translation>Завершить</translation>
    </message>
</context>
<context>
    <name>dialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="70"/>
        <location filename="../../ui/dialogs.py" line="71"/>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
</context>
</TS>
